-- The default scene: what a fresh groovebox plays. Built-in kit and synths
-- only, so it needs no sample library. One cycle is one bar at 120 bpm.
cps: 0.5

-- A saw pad through a low-pass that a slow sine sweeps, played as chords.
~lfo: sine 0.125
~pad: saw 220 # lpf (~lfo * 1800 + 600) 0.9

o1: s "~pad(3,8)" # note "<c4'min7 f3'min7 g3'min7 bf3'maj7>"
  # adsr 0.01 0.2 0.4 0.3 # gain 0.7
  # delay 0.375 0.35 0.3 # reverb 0.6 0.5 0.25
o2: s "bd*4" # gain 0.8
o3: s "~ cp ~ cp" # gain 0.7 # reverb 0.4 0.5 0.2
o4: s "[~ hh]*4 [hh oh]" # gain "0.5 0.35" # pan "0.4 0.6"
o5: s "808lt(3,8,2)" # gain 0.6 # speed "<1 1.2>"
