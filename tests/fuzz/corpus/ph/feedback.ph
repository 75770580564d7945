~a: ~a * 0.5 + saw 55
out: ~a # lpf 800 :q 2
hush2
