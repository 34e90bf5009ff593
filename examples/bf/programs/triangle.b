Nested loops: a triangle of stars with rows of 1 to 9 stars
Cells: 0 rows left; 1 stars in this row; 2 a star; 3 a newline; 4 stars left to print; 5 spare

+++++++++              nine rows
>>>++++++[<+++++++>-]  cell 2 gets 6 times 7 (a star)
++++++++++             cell 3 gets 10 (a newline)
<<<
[
  >+                   one star more in this row
  [->>>+>+<<<<]        move cell 1 into cells 4 and 5
  >>>>[-<<<<+>>>>]     and cell 5 back into cell 1
  <[-<<.>>]            print cell 4 stars
  <.                   then a newline
  <<<-                 one row fewer
]
