bpm: 120
~lfo: sine 0.25
~x: saw 440 # lpf (~lfo * 2000 + 500) 0.8
o1: s "~x(7,17)" # note "c4'min7 f3'min7" # delay 0.334 0.3 # reverb 0.9 0.5
o2: s "bd(4,17)"
o3: s "808lt(4,17,2)" # gain 0.8
