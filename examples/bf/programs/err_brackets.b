Unmatched brackets are reported with their line and column
+[
 ]]
 [[
  ]
