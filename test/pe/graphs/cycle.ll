; Virtual objects that refer to each other (a two-node cycle), made at every merge point: they
; escape into a residual call (dontLookInside) on one side, and are live at a promote on the other,
; so an exit must rebuild the cycle.

struct Node { next: mut Node, val: i32 }

driver d greens(pc) reds(x)

entry run

graph run -> i32 [portal] {
start(%x0: i32):
  jump loop(0, %x0)
loop(%pc: i32, %x: i32):
  jit_merge_point<d> %pc, %x
  %a: Node = new<Node> Node null, %x
  %b: Node = new<Node> %a, 2
  setfield<Node.next> %a, %b
  %same: bool = ref_eq %a, %b
  %c: bool = int_lt %x, 0
  branch %c, neg(), pos()
neg():
  %r: i32 = call<sum2> %a
  return %r
pos():
  %p: i32 = promote %x
  %s: i32 = call<sum2> %a
  %t: i32 = int_add %s, %p
  %k: i32 = cast_bool_to_int %same
  %u: i32 = int_add %t, %k
  return %u
}

; val(n) + val(n.next) + (n.next.next is n ? 1 : 0)
graph sum2 -> i32 [dontLookInside] {
start(%n: Node):
  %v1: i32 = getfield<Node.val> %n
  %m: Node = getfield<Node.next> %n
  %v2: i32 = getfield<Node.val> %m
  %m2: Node = getfield<Node.next> %m
  %back: bool = ref_eq %m2, %n
  %kb: i32 = cast_bool_to_int %back
  %s: i32 = int_add %v1, %v2
  %s2: i32 = int_add %s, %kb
  return %s2
}
