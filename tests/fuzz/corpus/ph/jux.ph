o1: jux rev $ every 2 (fast 2) $ s "bd sn" # n "0 .. 3" # speed -1
