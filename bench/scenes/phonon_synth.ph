-- phonon.ph's synth part alone: the saw bus through a pattern-swept low-pass
-- played as min7 chords on a Euclid (7,17) rhythm, no effects and no samples,
-- so a render times the synth voices (bus kernel or graph VM) and the engine.
bpm: 120
~cut: "<300 600 1200 2400>"
~x: saw 440 # lpf ~cut 0.8
o1: s "~x(7,17)" # note "c4'min7 f3'min7"
