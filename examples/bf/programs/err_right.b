Mark every cell with 1 while moving right: the pointer runs off the end of the tape
+[>+]
