Cells are bytes that wrap modulo 256

Cell 0 starts at 1 and loses 3 per turn while cell 1 gains 2: the loop ends when cell 0 wraps to
0 after 171 turns so cell 1 holds 342 mod 256 which is 86 or V; then W
+[--->++<]>.+.

Cell 2 counts up from 1 until it wraps to 0 (an endless loop without wrapping) then prints an
exclamation mark built in cell 3
>+[+]>++++++++[<++++>-]<+.

The next cell counts down from 0 through 255 to 0 again
>-[-]

The raw bytes 255 and 0 then a newline
-.+.++++++++++.
