-- boottest-upload: the scene the boot tests put on the Samba share as
-- default.ph, over the playing one; the daemon must reload it and swap it in
-- on a cycle boundary. Built-in kit only.
cps: 0.5

o1: s "bd*2 [~ bd] bd" # gain 0.8
o2: s "~ cp" # gain 0.7
o3: s "hh*8" # gain "0.5 0.3"
