-- Phonon's own benchmark scene, as its README describes it: three outputs at
-- 120 bpm. A saw bus through a pattern-swept low-pass, played as min7 chords
-- on a Euclid (7,17) rhythm through delay and reverb; a kick at (4,17); a tom
-- at (4,17,2).
bpm: 120
~cut: "<300 600 1200 2400>"
~x: saw 440 # lpf ~cut 0.8
o1: s "~x(7,17)" # note "c4'min7 f3'min7" # delay 0.334 0.3 # reverb 0.9 0.5
o2: s "bd(4,17)"
o3: s "808lt(4,17,2)" # gain 0.8
