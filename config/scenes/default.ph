-- The default scene: what a fresh groovebox plays. Built-in kit only, so it
-- needs no sample library. Phonon's benchmark scene, tamed for a first listen:
-- a saw bus played as min7 chords on a Euclidean rhythm through a swept
-- low-pass, delay and reverb; a kick and a tom on interlocking (4,17) rhythms.
bpm: 120

~lfo: sine 0.25
~x: saw 440 # lpf (~lfo * 2000 + 500) 0.8

o1: s "~x(7,17)" # note "c4'min7 f3'min7" # gain 0.5
  # delay 0.334 0.3 # reverb 0.9 0.5
o2: s "bd(4,17)"
o3: s "808lt(4,17,2)" # gain 0.8
o4: s "~ hh*2 ~ [hh oh]" # gain 0.6 # pan "0.3 0.7"
