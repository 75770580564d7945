-- A heavy scene for the soak benchmark: busy drums, chords on a synth bus,
-- a filtered supersaw pad, delay and reverb, about 60-100 voices at once.
bpm: 128
~lfo: sine 0.1
~pad: supersaw 110 0.3 7 # lpf (~lfo * 1500 + 500) 0.8
~pluck: saw 220 # lpf 2400 1.2
o1: s "bd*4" # gain 0.8
o2: s "~ cp ~ cp" # reverb 0.5 0.5 0.2
o3: s "hh*16" # gain "0.5 0.3" # pan rand
o4: s "~pluck*16" # note "<c4'min7 a3'min7 f3'maj7 g3'dom7>" # adsr 0.005 0.1 0.3 0.2 # gain 0.5
  # delay 0.375 0.4 0.3
o5: s "~pad" # note "<c3'min9 f3'min9>" # adsr 0.5 0.5 0.7 2 # gain 0.4 # reverb 0.8 0.4 0.3
o6: jux rev $ s "arpy*8" # n "0 .. 7" # speed "<1 1.5>" # gain 0.4
