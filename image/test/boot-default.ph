-- boottest-default: the boot tests play this as patterns/default.ph instead
-- of the shipped default scene, which needs about 1/75 of a native core and
-- more than an emulated (TCG) CPU can render in real time. Built-in kit only.
cps: 0.5

o1: s "bd*4" # gain 0.8
o2: s "~ hh ~ hh" # gain 0.5
