;; WebAssembly SIMD hot loops of the CPU interpreter's convolution family. Compiled by
;; scripts/gen-wasm.mjs into kernels_wasm.ts; loaded by module.ts. Every kernel computes exactly
;; what its JS reference loop computes:
;; - float kernels vectorize across output channels (one f64 lane per channel), so each sum runs
;;   in doubles, in the JS loop's order (promote f32 to f64, multiply, add), and is stored as f32;
;; - integer kernels sum exact integer products in int32 lanes (the JS loops' exact sums wrapped
;;   to int32, which is all requantization reads).
;; Pointers are byte offsets into the exported memory; strides and counts are in elements.
(module
  (memory (export "memory") 1)

  ;; out[r*outStride + n] = clamp(sum_k a[r*aStride + k] * w[n][k] + bias[n]) for r < rows,
  ;; n < count (matmul_rows.ts). `a` holds the f32 inputs as f64 (one splat load each); out is
  ;; f32. `w` is packed by channel blocks of four, as f64: block n/4 at w + (n/4)*K*32, element [k][n%4] at +k*32 + (n%4)*8 (zero past `count`).
  (func (export "matmul_f64")
    (param $a i32) (param $aStride i32) (param $rows i32) (param $K i32)
    (param $w i32) (param $count i32) (param $bias i32) (param $hasBias i32)
    (param $out i32) (param $outStride i32) (param $loS f64) (param $hiS f64)
    (local $fp i32) (local $fv0 v128) (local $fv1 v128) (local $ff v128)
    (local $lo v128) (local $hi v128) (local $as i32) (local $os i32)
    (local $n i32) (local $r i32) (local $k i32) (local $rem i32) (local $wb i32) (local $wq i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $o i32)
    (local $b0 v128) (local $b1 v128) (local $w0 v128) (local $w1 v128) (local $x v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $lo (f64x2.splat (local.get $loS)))
    (local.set $hi (f64x2.splat (local.get $hiS)))
    (local.set $as (i32.shl (local.get $aStride) (i32.const 3)))
    (local.set $os (i32.shl (local.get $outStride) (i32.const 2)))
    (block $doneN
      (loop $loopN
        (br_if $doneN (i32.ge_u (local.get $n) (local.get $count)))
        (local.set $rem (i32.sub (local.get $count) (local.get $n)))
        (local.set $wb
          (i32.add (local.get $w) (i32.mul (i32.shr_u (local.get $n) (i32.const 2)) (i32.shl (local.get $K) (i32.const 5)))))
        (if (local.get $hasBias)
          (then
            (local.set $b0 (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (i32.add (local.get $bias) (i32.shl (local.get $n) (i32.const 2))))))
            (local.set $b1 (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 align=4 (i32.add (local.get $bias) (i32.shl (local.get $n) (i32.const 2))))))))
        ;; Four rows at a time: each weight pair loaded once per four rows.
        (local.set $r (i32.const 0))
        (block $doneR4
          (loop $loopR4
            (br_if $doneR4 (i32.gt_u (i32.add (local.get $r) (i32.const 4)) (local.get $rows)))
            (local.set $p0 (i32.add (local.get $a) (i32.mul (local.get $r) (local.get $as))))
            (local.set $p1 (i32.add (local.get $p0) (local.get $as)))
            (local.set $p2 (i32.add (local.get $p1) (local.get $as)))
            (local.set $p3 (i32.add (local.get $p2) (local.get $as)))
            (local.set $c00 (v128.const f64x2 0 0))
            (local.set $c01 (v128.const f64x2 0 0))
            (local.set $c10 (v128.const f64x2 0 0))
            (local.set $c11 (v128.const f64x2 0 0))
            (local.set $c20 (v128.const f64x2 0 0))
            (local.set $c21 (v128.const f64x2 0 0))
            (local.set $c30 (v128.const f64x2 0 0))
            (local.set $c31 (v128.const f64x2 0 0))
            (local.set $wq (local.get $wb))
            (local.set $k (local.get $K))
            (block $doneK
              (loop $loopK
                (br_if $doneK (i32.eqz (local.get $k)))
                (local.set $w0 (v128.load (local.get $wq)))
                (local.set $w1 (v128.load offset=16 (local.get $wq)))
                (local.set $x (v128.load64_splat (local.get $p0)))
                (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $x) (local.get $w0))))
                (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $x) (local.get $w1))))
                (local.set $x (v128.load64_splat (local.get $p1)))
                (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $x) (local.get $w0))))
                (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $x) (local.get $w1))))
                (local.set $x (v128.load64_splat (local.get $p2)))
                (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $x) (local.get $w0))))
                (local.set $c21 (f64x2.add (local.get $c21) (f64x2.mul (local.get $x) (local.get $w1))))
                (local.set $x (v128.load64_splat (local.get $p3)))
                (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $x) (local.get $w0))))
                (local.set $c31 (f64x2.add (local.get $c31) (f64x2.mul (local.get $x) (local.get $w1))))
                (local.set $p0 (i32.add (local.get $p0) (i32.const 8)))
                (local.set $p1 (i32.add (local.get $p1) (i32.const 8)))
                (local.set $p2 (i32.add (local.get $p2) (i32.const 8)))
                (local.set $p3 (i32.add (local.get $p3) (i32.const 8)))
                (local.set $wq (i32.add (local.get $wq) (i32.const 32)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $loopK)))
            (local.set $o
              (i32.add (local.get $out)
                (i32.shl (i32.add (i32.mul (local.get $r) (local.get $outStride)) (local.get $n)) (i32.const 2))))
            (local.set $fp (local.get $o))
            (local.set $fv0 (local.get $c00))
            (local.set $fv1 (local.get $c01))
            (if (local.get $hasBias)
              (then
                (local.set $fv0 (f64x2.add (local.get $fv0) (local.get $b0)))
                (local.set $fv1 (f64x2.add (local.get $fv1) (local.get $b1)))))
            ;; v < lo ? lo : min(v, hi) per lane (the JS clamp, -0 and NaN included), then f32.
            (local.set $ff
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (f32x4.demote_f64x2_zero
                  (f64x2.min (v128.bitselect (local.get $lo) (local.get $fv0) (f64x2.lt (local.get $fv0) (local.get $lo))) (local.get $hi)))
                (f32x4.demote_f64x2_zero
                  (f64x2.min (v128.bitselect (local.get $lo) (local.get $fv1) (f64x2.lt (local.get $fv1) (local.get $lo))) (local.get $hi)))))
            (if (i32.ge_u (local.get $rem) (i32.const 4))
              (then (v128.store align=4 (local.get $fp) (local.get $ff)))
              (else
                (f32.store (local.get $fp) (f32x4.extract_lane 0 (local.get $ff)))
                (if (i32.ge_u (local.get $rem) (i32.const 2)) (then (f32.store offset=4 (local.get $fp) (f32x4.extract_lane 1 (local.get $ff)))))
                (if (i32.ge_u (local.get $rem) (i32.const 3)) (then (f32.store offset=8 (local.get $fp) (f32x4.extract_lane 2 (local.get $ff)))))))
            (local.set $o (i32.add (local.get $o) (local.get $os)))
            (local.set $fp (local.get $o))
            (local.set $fv0 (local.get $c10))
            (local.set $fv1 (local.get $c11))
            (if (local.get $hasBias)
              (then
                (local.set $fv0 (f64x2.add (local.get $fv0) (local.get $b0)))
                (local.set $fv1 (f64x2.add (local.get $fv1) (local.get $b1)))))
            ;; v < lo ? lo : min(v, hi) per lane (the JS clamp, -0 and NaN included), then f32.
            (local.set $ff
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (f32x4.demote_f64x2_zero
                  (f64x2.min (v128.bitselect (local.get $lo) (local.get $fv0) (f64x2.lt (local.get $fv0) (local.get $lo))) (local.get $hi)))
                (f32x4.demote_f64x2_zero
                  (f64x2.min (v128.bitselect (local.get $lo) (local.get $fv1) (f64x2.lt (local.get $fv1) (local.get $lo))) (local.get $hi)))))
            (if (i32.ge_u (local.get $rem) (i32.const 4))
              (then (v128.store align=4 (local.get $fp) (local.get $ff)))
              (else
                (f32.store (local.get $fp) (f32x4.extract_lane 0 (local.get $ff)))
                (if (i32.ge_u (local.get $rem) (i32.const 2)) (then (f32.store offset=4 (local.get $fp) (f32x4.extract_lane 1 (local.get $ff)))))
                (if (i32.ge_u (local.get $rem) (i32.const 3)) (then (f32.store offset=8 (local.get $fp) (f32x4.extract_lane 2 (local.get $ff)))))))
            (local.set $o (i32.add (local.get $o) (local.get $os)))
            (local.set $fp (local.get $o))
            (local.set $fv0 (local.get $c20))
            (local.set $fv1 (local.get $c21))
            (if (local.get $hasBias)
              (then
                (local.set $fv0 (f64x2.add (local.get $fv0) (local.get $b0)))
                (local.set $fv1 (f64x2.add (local.get $fv1) (local.get $b1)))))
            ;; v < lo ? lo : min(v, hi) per lane (the JS clamp, -0 and NaN included), then f32.
            (local.set $ff
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (f32x4.demote_f64x2_zero
                  (f64x2.min (v128.bitselect (local.get $lo) (local.get $fv0) (f64x2.lt (local.get $fv0) (local.get $lo))) (local.get $hi)))
                (f32x4.demote_f64x2_zero
                  (f64x2.min (v128.bitselect (local.get $lo) (local.get $fv1) (f64x2.lt (local.get $fv1) (local.get $lo))) (local.get $hi)))))
            (if (i32.ge_u (local.get $rem) (i32.const 4))
              (then (v128.store align=4 (local.get $fp) (local.get $ff)))
              (else
                (f32.store (local.get $fp) (f32x4.extract_lane 0 (local.get $ff)))
                (if (i32.ge_u (local.get $rem) (i32.const 2)) (then (f32.store offset=4 (local.get $fp) (f32x4.extract_lane 1 (local.get $ff)))))
                (if (i32.ge_u (local.get $rem) (i32.const 3)) (then (f32.store offset=8 (local.get $fp) (f32x4.extract_lane 2 (local.get $ff)))))))
            (local.set $o (i32.add (local.get $o) (local.get $os)))
            (local.set $fp (local.get $o))
            (local.set $fv0 (local.get $c30))
            (local.set $fv1 (local.get $c31))
            (if (local.get $hasBias)
              (then
                (local.set $fv0 (f64x2.add (local.get $fv0) (local.get $b0)))
                (local.set $fv1 (f64x2.add (local.get $fv1) (local.get $b1)))))
            ;; v < lo ? lo : min(v, hi) per lane (the JS clamp, -0 and NaN included), then f32.
            (local.set $ff
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (f32x4.demote_f64x2_zero
                  (f64x2.min (v128.bitselect (local.get $lo) (local.get $fv0) (f64x2.lt (local.get $fv0) (local.get $lo))) (local.get $hi)))
                (f32x4.demote_f64x2_zero
                  (f64x2.min (v128.bitselect (local.get $lo) (local.get $fv1) (f64x2.lt (local.get $fv1) (local.get $lo))) (local.get $hi)))))
            (if (i32.ge_u (local.get $rem) (i32.const 4))
              (then (v128.store align=4 (local.get $fp) (local.get $ff)))
              (else
                (f32.store (local.get $fp) (f32x4.extract_lane 0 (local.get $ff)))
                (if (i32.ge_u (local.get $rem) (i32.const 2)) (then (f32.store offset=4 (local.get $fp) (f32x4.extract_lane 1 (local.get $ff)))))
                (if (i32.ge_u (local.get $rem) (i32.const 3)) (then (f32.store offset=8 (local.get $fp) (f32x4.extract_lane 2 (local.get $ff)))))))
            (local.set $r (i32.add (local.get $r) (i32.const 4)))
            (br $loopR4)))
        ;; The remaining rows one at a time.
        (block $doneR1
          (loop $loopR1
            (br_if $doneR1 (i32.ge_u (local.get $r) (local.get $rows)))
            (local.set $p0 (i32.add (local.get $a) (i32.mul (local.get $r) (local.get $as))))
            (local.set $c00 (v128.const f64x2 0 0))
            (local.set $c01 (v128.const f64x2 0 0))
            (local.set $wq (local.get $wb))
            (local.set $k (local.get $K))
            (block $doneK1
              (loop $loopK1
                (br_if $doneK1 (i32.eqz (local.get $k)))
                (local.set $x (v128.load64_splat (local.get $p0)))
                (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $x) (v128.load (local.get $wq)))))
                (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $x) (v128.load offset=16 (local.get $wq)))))
                (local.set $p0 (i32.add (local.get $p0) (i32.const 8)))
                (local.set $wq (i32.add (local.get $wq) (i32.const 32)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $loopK1)))
            (local.set $fp (i32.add (local.get $out)
                (i32.shl (i32.add (i32.mul (local.get $r) (local.get $outStride)) (local.get $n)) (i32.const 2))))
            (local.set $fv0 (local.get $c00))
            (local.set $fv1 (local.get $c01))
            (if (local.get $hasBias)
              (then
                (local.set $fv0 (f64x2.add (local.get $fv0) (local.get $b0)))
                (local.set $fv1 (f64x2.add (local.get $fv1) (local.get $b1)))))
            ;; v < lo ? lo : min(v, hi) per lane (the JS clamp, -0 and NaN included), then f32.
            (local.set $ff
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (f32x4.demote_f64x2_zero
                  (f64x2.min (v128.bitselect (local.get $lo) (local.get $fv0) (f64x2.lt (local.get $fv0) (local.get $lo))) (local.get $hi)))
                (f32x4.demote_f64x2_zero
                  (f64x2.min (v128.bitselect (local.get $lo) (local.get $fv1) (f64x2.lt (local.get $fv1) (local.get $lo))) (local.get $hi)))))
            (if (i32.ge_u (local.get $rem) (i32.const 4))
              (then (v128.store align=4 (local.get $fp) (local.get $ff)))
              (else
                (f32.store (local.get $fp) (f32x4.extract_lane 0 (local.get $ff)))
                (if (i32.ge_u (local.get $rem) (i32.const 2)) (then (f32.store offset=4 (local.get $fp) (f32x4.extract_lane 1 (local.get $ff)))))
                (if (i32.ge_u (local.get $rem) (i32.const 3)) (then (f32.store offset=8 (local.get $fp) (f32x4.extract_lane 2 (local.get $ff)))))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $loopR1)))
        (local.set $n (i32.add (local.get $n) (i32.const 4)))
        (br $loopN))))

  ;; The taps of the window at (iy0, ix0) that fall inside the image, in tap order, listed at
  ;; tab: per tap the byte address x + (input pixel * C << xShift) and w + (tap * C << wShift).
  ;; Returns how many. (Unsigned compares: negative coordinates are outside too.)
  (func $taps (param $tab i32) (param $x i32) (param $w i32) (param $iy0 i32) (param $ix0 i32)
    (param $inH i32) (param $inW i32) (param $C i32) (param $fH i32) (param $fW i32) (param $dH i32) (param $dW i32)
    (param $xShift i32) (param $wShift i32) (result i32)
    (local $n i32) (local $fy i32) (local $fx i32) (local $iy i32) (local $ix i32) (local $e i32)
    (loop $loopFy
      (local.set $iy (i32.add (local.get $iy0) (i32.mul (local.get $fy) (local.get $dH))))
      (if (i32.lt_u (local.get $iy) (local.get $inH))
        (then
          (local.set $fx (i32.const 0))
          (loop $loopFx
            (local.set $ix (i32.add (local.get $ix0) (i32.mul (local.get $fx) (local.get $dW))))
            (if (i32.lt_u (local.get $ix) (local.get $inW))
              (then
                (local.set $e (i32.add (local.get $tab) (i32.shl (local.get $n) (i32.const 3))))
                (i32.store (local.get $e)
                  (i32.add (local.get $x)
                    (i32.shl
                      (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $inW)) (local.get $ix)) (local.get $C))
                      (local.get $xShift))))
                (i32.store offset=4 (local.get $e)
                  (i32.add (local.get $w)
                    (i32.shl
                      (i32.mul (i32.add (i32.mul (local.get $fy) (local.get $fW)) (local.get $fx)) (local.get $C))
                      (local.get $wShift))))
                (local.set $n (i32.add (local.get $n) (i32.const 1)))))
            (local.set $fx (i32.add (local.get $fx) (i32.const 1)))
            (br_if $loopFx (i32.lt_u (local.get $fx) (local.get $fW))))))
      (local.set $fy (i32.add (local.get $fy) (i32.const 1)))
      (br_if $loopFy (i32.lt_u (local.get $fy) (local.get $fH))))
    (local.get $n))

  ;; The tap list of output pixel (oy, ox): the window's own (absolute addresses, base 0) at
  ;; tab, or for a window wholly inside the image the shared list at full (nFull taps, offsets
  ;; from the window's first pixel, base = that pixel's address). Returns base; sets the global
  ;; list bounds $cur / $end.
  (global $cur (mut i32) (i32.const 0))
  (global $end (mut i32) (i32.const 0))
  (func $pixelTaps (param $tab i32) (param $full i32) (param $nFull i32) (param $x i32) (param $w i32)
    (param $iy0 i32) (param $ix0 i32) (param $inH i32) (param $inW i32) (param $C i32)
    (param $fH i32) (param $fW i32) (param $dH i32) (param $dW i32) (param $xShift i32) (param $wShift i32) (result i32)
    (if
      (i32.and
        (i32.and (i32.ge_s (local.get $iy0) (i32.const 0))
          (i32.lt_s (i32.add (local.get $iy0) (i32.mul (i32.sub (local.get $fH) (i32.const 1)) (local.get $dH))) (local.get $inH)))
        (i32.and (i32.ge_s (local.get $ix0) (i32.const 0))
          (i32.lt_s (i32.add (local.get $ix0) (i32.mul (i32.sub (local.get $fW) (i32.const 1)) (local.get $dW))) (local.get $inW))))
      (then
        (global.set $cur (local.get $full))
        (global.set $end (i32.add (local.get $full) (i32.shl (local.get $nFull) (i32.const 3))))
        (return
          (i32.add (local.get $x)
            (i32.shl
              (i32.mul (i32.add (i32.mul (local.get $iy0) (local.get $inW)) (local.get $ix0)) (local.get $C))
              (local.get $xShift))))))
    (global.set $cur (local.get $tab))
    (global.set $end
      (i32.add (local.get $tab)
        (i32.shl
          (call $taps (local.get $tab) (local.get $x) (local.get $w) (local.get $iy0) (local.get $ix0) (local.get $inH)
            (local.get $inW) (local.get $C) (local.get $fH) (local.get $fW) (local.get $dH) (local.get $dW)
            (local.get $xShift) (local.get $wShift))
          (i32.const 3))))
    (i32.const 0))

  ;; Float depthwise convolution of one NHWC image, channel multiplier 1 (depthwise_conv.ts):
  ;; out[oy][ox][c] = clamp(sum over the taps inside the image, in tap order, of
  ;; x[iy][ix][c] * w[tap][c], + bias[c]). x, bias and out are f32; w is f64 [taps][C]; tab is
  ;; scratch for two tap lists (16 bytes per tap).
  (func (export "depthwise_f32")
    (param $x i32) (param $inH i32) (param $inW i32) (param $C i32)
    (param $w i32) (param $fH i32) (param $fW i32)
    (param $sH i32) (param $sW i32) (param $dH i32) (param $dW i32) (param $padH i32) (param $padW i32)
    (param $outH i32) (param $outW i32)
    (param $bias i32) (param $hasBias i32) (param $out i32) (param $loS f64) (param $hiS f64) (param $tab i32)
    (local $fp i32) (local $fv0 v128) (local $fv1 v128) (local $ff v128)
    (local $lo v128) (local $hi v128) (local $oy i32) (local $ox i32) (local $iy0 i32)
    (local $full i32) (local $nFull i32) (local $base i32) (local $t i32) (local $cur i32) (local $end i32)
    (local $c i32) (local $o i32) (local $cx i32) (local $cw i32) (local $xp i32) (local $wq i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $s f64)
    (local.set $lo (f64x2.splat (local.get $loS)))
    (local.set $hi (f64x2.splat (local.get $hiS)))
    (local.set $full (i32.add (local.get $tab) (i32.shl (i32.mul (local.get $fH) (local.get $fW)) (i32.const 3))))
    (local.set $nFull
      (call $taps (local.get $full) (i32.const 0) (local.get $w) (i32.const 0) (i32.const 0) (i32.const -1) (local.get $inW)
        (local.get $C) (local.get $fH) (local.get $fW) (local.get $dH) (local.get $dW) (i32.const 2) (i32.const 3)))
    (local.set $o (local.get $out))
    (loop $loopY
      (local.set $iy0 (i32.sub (i32.mul (local.get $oy) (local.get $sH)) (local.get $padH)))
      (local.set $ox (i32.const 0))
      (loop $loopX
        (local.set $base
          (call $pixelTaps (local.get $tab) (local.get $full) (local.get $nFull) (local.get $x) (local.get $w)
            (local.get $iy0) (i32.sub (i32.mul (local.get $ox) (local.get $sW)) (local.get $padW))
            (local.get $inH) (local.get $inW) (local.get $C) (local.get $fH) (local.get $fW) (local.get $dH) (local.get $dW)
            (i32.const 2) (i32.const 3)))
        (local.set $cur (global.get $cur))
        (local.set $end (global.get $end))
        ;; Eight channels at a time, then four, then one.
        (local.set $c (i32.const 0))
        (block $doneC8
          (loop $loopC8
            (br_if $doneC8 (i32.gt_u (i32.add (local.get $c) (i32.const 8)) (local.get $C)))
            (local.set $a0 (v128.const f64x2 0 0))
            (local.set $a1 (v128.const f64x2 0 0))
            (local.set $a2 (v128.const f64x2 0 0))
            (local.set $a3 (v128.const f64x2 0 0))
            (local.set $cx (i32.add (local.get $base) (i32.shl (local.get $c) (i32.const 2))))
            (local.set $cw (i32.shl (local.get $c) (i32.const 3)))
            (local.set $t (local.get $cur))
            (block $doneT8
              (loop $loopT8
                (br_if $doneT8 (i32.ge_u (local.get $t) (local.get $end)))
                (local.set $xp (i32.add (i32.load (local.get $t)) (local.get $cx)))
                (local.set $wq (i32.add (i32.load offset=4 (local.get $t)) (local.get $cw)))
                (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (local.get $xp))) (v128.load (local.get $wq)))))
                (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 align=4 (local.get $xp))) (v128.load offset=16 (local.get $wq)))))
                (local.set $a2
                  (f64x2.add (local.get $a2)
                    (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero offset=16 align=4 (local.get $xp))) (v128.load offset=32 (local.get $wq)))))
                (local.set $a3
                  (f64x2.add (local.get $a3)
                    (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero offset=24 align=4 (local.get $xp))) (v128.load offset=48 (local.get $wq)))))
                (local.set $t (i32.add (local.get $t) (i32.const 8)))
                (br $loopT8)))
            (local.set $fp (i32.add (local.get $o) (i32.shl (local.get $c) (i32.const 2))))
            (local.set $fv0 (local.get $a0))
            (local.set $fv1 (local.get $a1))
            (if (local.get $hasBias)
              (then
                (local.set $fv0 (f64x2.add (local.get $fv0) (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (i32.add (local.get $bias) (i32.shl (local.get $c) (i32.const 2)))))))
                (local.set $fv1 (f64x2.add (local.get $fv1) (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 align=4 (i32.add (local.get $bias) (i32.shl (local.get $c) (i32.const 2)))))))))
            ;; v < lo ? lo : min(v, hi) per lane (the JS clamp, -0 and NaN included), then f32.
            (local.set $ff
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (f32x4.demote_f64x2_zero
                  (f64x2.min (v128.bitselect (local.get $lo) (local.get $fv0) (f64x2.lt (local.get $fv0) (local.get $lo))) (local.get $hi)))
                (f32x4.demote_f64x2_zero
                  (f64x2.min (v128.bitselect (local.get $lo) (local.get $fv1) (f64x2.lt (local.get $fv1) (local.get $lo))) (local.get $hi)))))
            (if (i32.ge_u (i32.const 4) (i32.const 4))
              (then (v128.store align=4 (local.get $fp) (local.get $ff)))
              (else
                (f32.store (local.get $fp) (f32x4.extract_lane 0 (local.get $ff)))
                (if (i32.ge_u (i32.const 4) (i32.const 2)) (then (f32.store offset=4 (local.get $fp) (f32x4.extract_lane 1 (local.get $ff)))))
                (if (i32.ge_u (i32.const 4) (i32.const 3)) (then (f32.store offset=8 (local.get $fp) (f32x4.extract_lane 2 (local.get $ff)))))))
            (local.set $fp (i32.add (local.get $o) (i32.add (i32.shl (local.get $c) (i32.const 2)) (i32.const 16))))
            (local.set $fv0 (local.get $a2))
            (local.set $fv1 (local.get $a3))
            (if (local.get $hasBias)
              (then
                (local.set $fv0 (f64x2.add (local.get $fv0) (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (i32.add (local.get $bias) (i32.add (i32.shl (local.get $c) (i32.const 2)) (i32.const 16)))))))
                (local.set $fv1 (f64x2.add (local.get $fv1) (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 align=4 (i32.add (local.get $bias) (i32.add (i32.shl (local.get $c) (i32.const 2)) (i32.const 16)))))))))
            ;; v < lo ? lo : min(v, hi) per lane (the JS clamp, -0 and NaN included), then f32.
            (local.set $ff
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (f32x4.demote_f64x2_zero
                  (f64x2.min (v128.bitselect (local.get $lo) (local.get $fv0) (f64x2.lt (local.get $fv0) (local.get $lo))) (local.get $hi)))
                (f32x4.demote_f64x2_zero
                  (f64x2.min (v128.bitselect (local.get $lo) (local.get $fv1) (f64x2.lt (local.get $fv1) (local.get $lo))) (local.get $hi)))))
            (if (i32.ge_u (i32.const 4) (i32.const 4))
              (then (v128.store align=4 (local.get $fp) (local.get $ff)))
              (else
                (f32.store (local.get $fp) (f32x4.extract_lane 0 (local.get $ff)))
                (if (i32.ge_u (i32.const 4) (i32.const 2)) (then (f32.store offset=4 (local.get $fp) (f32x4.extract_lane 1 (local.get $ff)))))
                (if (i32.ge_u (i32.const 4) (i32.const 3)) (then (f32.store offset=8 (local.get $fp) (f32x4.extract_lane 2 (local.get $ff)))))))
            (local.set $c (i32.add (local.get $c) (i32.const 8)))
            (br $loopC8)))
        (if (i32.le_u (i32.add (local.get $c) (i32.const 4)) (local.get $C))
          (then
            (local.set $a0 (v128.const f64x2 0 0))
            (local.set $a1 (v128.const f64x2 0 0))
            (local.set $cx (i32.add (local.get $base) (i32.shl (local.get $c) (i32.const 2))))
            (local.set $cw (i32.shl (local.get $c) (i32.const 3)))
            (local.set $t (local.get $cur))
            (block $doneT4
              (loop $loopT4
                (br_if $doneT4 (i32.ge_u (local.get $t) (local.get $end)))
                (local.set $xp (i32.add (i32.load (local.get $t)) (local.get $cx)))
                (local.set $wq (i32.add (i32.load offset=4 (local.get $t)) (local.get $cw)))
                (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (local.get $xp))) (v128.load (local.get $wq)))))
                (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 align=4 (local.get $xp))) (v128.load offset=16 (local.get $wq)))))
                (local.set $t (i32.add (local.get $t) (i32.const 8)))
                (br $loopT4)))
            (local.set $fp (i32.add (local.get $o) (i32.shl (local.get $c) (i32.const 2))))
            (local.set $fv0 (local.get $a0))
            (local.set $fv1 (local.get $a1))
            (if (local.get $hasBias)
              (then
                (local.set $fv0 (f64x2.add (local.get $fv0) (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (i32.add (local.get $bias) (i32.shl (local.get $c) (i32.const 2)))))))
                (local.set $fv1 (f64x2.add (local.get $fv1) (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 align=4 (i32.add (local.get $bias) (i32.shl (local.get $c) (i32.const 2)))))))))
            ;; v < lo ? lo : min(v, hi) per lane (the JS clamp, -0 and NaN included), then f32.
            (local.set $ff
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (f32x4.demote_f64x2_zero
                  (f64x2.min (v128.bitselect (local.get $lo) (local.get $fv0) (f64x2.lt (local.get $fv0) (local.get $lo))) (local.get $hi)))
                (f32x4.demote_f64x2_zero
                  (f64x2.min (v128.bitselect (local.get $lo) (local.get $fv1) (f64x2.lt (local.get $fv1) (local.get $lo))) (local.get $hi)))))
            (if (i32.ge_u (i32.const 4) (i32.const 4))
              (then (v128.store align=4 (local.get $fp) (local.get $ff)))
              (else
                (f32.store (local.get $fp) (f32x4.extract_lane 0 (local.get $ff)))
                (if (i32.ge_u (i32.const 4) (i32.const 2)) (then (f32.store offset=4 (local.get $fp) (f32x4.extract_lane 1 (local.get $ff)))))
                (if (i32.ge_u (i32.const 4) (i32.const 3)) (then (f32.store offset=8 (local.get $fp) (f32x4.extract_lane 2 (local.get $ff)))))))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))))
        (block $doneC1
          (loop $loopC1
            (br_if $doneC1 (i32.ge_u (local.get $c) (local.get $C)))
            (local.set $s (f64.const 0))
            (local.set $cx (i32.add (local.get $base) (i32.shl (local.get $c) (i32.const 2))))
            (local.set $cw (i32.shl (local.get $c) (i32.const 3)))
            (local.set $t (local.get $cur))
            (block $doneT1
              (loop $loopT1
                (br_if $doneT1 (i32.ge_u (local.get $t) (local.get $end)))
                (local.set $s
                  (f64.add (local.get $s)
                    (f64.mul
                      (f64.promote_f32 (f32.load (i32.add (i32.load (local.get $t)) (local.get $cx))))
                      (f64.load (i32.add (i32.load offset=4 (local.get $t)) (local.get $cw))))))
                (local.set $t (i32.add (local.get $t) (i32.const 8)))
                (br $loopT1)))
            (if (local.get $hasBias)
              (then
                (local.set $s
                  (f64.add (local.get $s)
                    (f64.promote_f32 (f32.load (i32.add (local.get $bias) (i32.shl (local.get $c) (i32.const 2)))))))))
            (if (f64.lt (local.get $s) (local.get $loS)) (then (local.set $s (local.get $loS))))
            (local.set $s (f64.min (local.get $s) (local.get $hiS)))
            (f32.store (i32.add (local.get $o) (i32.shl (local.get $c) (i32.const 2))) (f32.demote_f64 (local.get $s)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $loopC1)))
        (local.set $o (i32.add (local.get $o) (i32.shl (local.get $C) (i32.const 2))))
        (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
        (br_if $loopX (i32.lt_u (local.get $ox) (local.get $outW))))
      (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
      (br_if $loopY (i32.lt_u (local.get $oy) (local.get $outH)))))

  ;; Float TRANSPOSE_CONV of one NHWC image (transpose_conv.ts transposeConvCore): for each output
  ;; pixel and channel, over the input pixels that reach it (in row-major order) a dot product
  ;; over the input channels, from 0, added to the pixel's sum; then bias and clamp. Vectorized
  ;; over output channels: w is packed as f64 [tap][outC/4 blocks][inC][4] (zero past outC).
  (func (export "tconv_f32")
    (param $x i32) (param $inH i32) (param $inW i32) (param $inC i32)
    (param $w i32) (param $fH i32) (param $fW i32) (param $sH i32) (param $sW i32) (param $padH i32) (param $padW i32)
    (param $outH i32) (param $outW i32) (param $outC i32)
    (param $bias i32) (param $hasBias i32) (param $out i32) (param $loS f64) (param $hiS f64)
    (local $fp i32) (local $fv0 v128) (local $fv1 v128) (local $ff v128)
    (local $lo v128) (local $hi v128) (local $blocks i32) (local $oy i32) (local $ox i32) (local $yy i32) (local $xx i32)
    (local $iyS i32) (local $iyE i32) (local $ixS i32) (local $ixE i32) (local $iy i32) (local $ix i32)
    (local $n i32) (local $o i32) (local $xp i32) (local $wq i32) (local $c i32) (local $xv v128)
    (local $a0 v128) (local $a1 v128) (local $s0 v128) (local $s1 v128)
    (local.set $lo (f64x2.splat (local.get $loS)))
    (local.set $hi (f64x2.splat (local.get $hiS)))
    (local.set $blocks (i32.shr_u (i32.add (local.get $outC) (i32.const 3)) (i32.const 2)))
    (local.set $o (local.get $out))
    (loop $loopY
      (local.set $yy (i32.add (local.get $oy) (local.get $padH)))
      ;; max(0, ceil((yy - fH + 1) / sH)) .. min(inH - 1, floor(yy / sH))
      (local.set $iyS (i32.add (local.get $yy) (i32.sub (i32.const 1) (local.get $fH))))
      (local.set $iyS
        (select (i32.div_s (i32.add (local.get $iyS) (i32.sub (local.get $sH) (i32.const 1))) (local.get $sH)) (i32.const 0)
          (i32.gt_s (local.get $iyS) (i32.const 0))))
      (local.set $iyE (i32.div_s (local.get $yy) (local.get $sH)))
      (if (i32.ge_s (local.get $iyE) (local.get $inH)) (then (local.set $iyE (i32.sub (local.get $inH) (i32.const 1)))))
      (local.set $ox (i32.const 0))
      (loop $loopX
        (local.set $xx (i32.add (local.get $ox) (local.get $padW)))
        (local.set $ixS (i32.add (local.get $xx) (i32.sub (i32.const 1) (local.get $fW))))
        (local.set $ixS
          (select (i32.div_s (i32.add (local.get $ixS) (i32.sub (local.get $sW) (i32.const 1))) (local.get $sW)) (i32.const 0)
            (i32.gt_s (local.get $ixS) (i32.const 0))))
        (local.set $ixE (i32.div_s (local.get $xx) (local.get $sW)))
        (if (i32.ge_s (local.get $ixE) (local.get $inW)) (then (local.set $ixE (i32.sub (local.get $inW) (i32.const 1)))))
        (local.set $n (i32.const 0))
        (loop $loopN
          (local.set $a0 (v128.const f64x2 0 0))
          (local.set $a1 (v128.const f64x2 0 0))
          (local.set $iy (local.get $iyS))
          (block $doneIy
            (loop $loopIy
              (br_if $doneIy (i32.gt_s (local.get $iy) (local.get $iyE)))
              (local.set $ix (local.get $ixS))
              (block $doneIx
                (loop $loopIx
                  (br_if $doneIx (i32.gt_s (local.get $ix) (local.get $ixE)))
                  (local.set $xp
                    (i32.add (local.get $x)
                      (i32.shl (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $inW)) (local.get $ix)) (local.get $inC)) (i32.const 2))))
                  ;; tap (fy, fx) = (yy - iy*sH, xx - ix*sW); block n/4 of it
                  (local.set $wq
                    (i32.add (local.get $w)
                      (i32.shl
                        (i32.mul
                          (i32.add
                            (i32.mul
                              (i32.add
                                (i32.mul (i32.sub (local.get $yy) (i32.mul (local.get $iy) (local.get $sH))) (local.get $fW))
                                (i32.sub (local.get $xx) (i32.mul (local.get $ix) (local.get $sW))))
                              (local.get $blocks))
                            (i32.shr_u (local.get $n) (i32.const 2)))
                          (local.get $inC))
                        (i32.const 5))))
                  (local.set $s0 (v128.const f64x2 0 0))
                  (local.set $s1 (v128.const f64x2 0 0))
                  (local.set $c (local.get $inC))
                  (loop $loopC
                    (local.set $xv (f64x2.splat (f64.promote_f32 (f32.load (local.get $xp)))))
                    (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $xv) (v128.load (local.get $wq)))))
                    (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $xv) (v128.load offset=16 (local.get $wq)))))
                    (local.set $xp (i32.add (local.get $xp) (i32.const 4)))
                    (local.set $wq (i32.add (local.get $wq) (i32.const 32)))
                    (local.set $c (i32.sub (local.get $c) (i32.const 1)))
                    (br_if $loopC (local.get $c)))
                  (local.set $a0 (f64x2.add (local.get $a0) (local.get $s0)))
                  (local.set $a1 (f64x2.add (local.get $a1) (local.get $s1)))
                  (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
                  (br $loopIx)))
              (local.set $iy (i32.add (local.get $iy) (i32.const 1)))
              (br $loopIy)))
          (local.set $fp (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
          (local.set $fv0 (local.get $a0))
          (local.set $fv1 (local.get $a1))
          (if (local.get $hasBias)
            (then
              (local.set $fv0 (f64x2.add (local.get $fv0) (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (i32.add (local.get $bias) (i32.shl (local.get $n) (i32.const 2)))))))
              (local.set $fv1 (f64x2.add (local.get $fv1) (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 align=4 (i32.add (local.get $bias) (i32.shl (local.get $n) (i32.const 2)))))))))
          ;; v < lo ? lo : min(v, hi) per lane (the JS clamp, -0 and NaN included), then f32.
          (local.set $ff
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
              (f32x4.demote_f64x2_zero
                (f64x2.min (v128.bitselect (local.get $lo) (local.get $fv0) (f64x2.lt (local.get $fv0) (local.get $lo))) (local.get $hi)))
              (f32x4.demote_f64x2_zero
                (f64x2.min (v128.bitselect (local.get $lo) (local.get $fv1) (f64x2.lt (local.get $fv1) (local.get $lo))) (local.get $hi)))))
          (if (i32.ge_u (i32.sub (local.get $outC) (local.get $n)) (i32.const 4))
            (then (v128.store align=4 (local.get $fp) (local.get $ff)))
            (else
              (f32.store (local.get $fp) (f32x4.extract_lane 0 (local.get $ff)))
              (if (i32.ge_u (i32.sub (local.get $outC) (local.get $n)) (i32.const 2)) (then (f32.store offset=4 (local.get $fp) (f32x4.extract_lane 1 (local.get $ff)))))
              (if (i32.ge_u (i32.sub (local.get $outC) (local.get $n)) (i32.const 3)) (then (f32.store offset=8 (local.get $fp) (f32x4.extract_lane 2 (local.get $ff)))))))
          (local.set $n (i32.add (local.get $n) (i32.const 4)))
          (br_if $loopN (i32.lt_u (local.get $n) (local.get $outC))))
        (local.set $o (i32.add (local.get $o) (i32.shl (local.get $outC) (i32.const 2))))
        (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
        (br_if $loopX (i32.lt_u (local.get $ox) (local.get $outW))))
      (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
      (br_if $loopY (i32.lt_u (local.get $oy) (local.get $outH)))))

  ;; Sum of the four int32 lanes.
  (func $hsum (param $v v128) (result i32)
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $v)) (i32x4.extract_lane 1 (local.get $v)))
      (i32.add (i32x4.extract_lane 2 (local.get $v)) (i32x4.extract_lane 3 (local.get $v)))))

  ;; Stores the first `rem` (1..4) of four int32 sums at p.
  (func $storeSums (param $p i32) (param $v0 v128) (param $v1 v128) (param $v2 v128) (param $v3 v128) (param $rem i32)
    (i32.store (local.get $p) (call $hsum (local.get $v0)))
    (if (i32.ge_u (local.get $rem) (i32.const 2)) (then (i32.store offset=4 (local.get $p) (call $hsum (local.get $v1)))))
    (if (i32.ge_u (local.get $rem) (i32.const 3)) (then (i32.store offset=8 (local.get $p) (call $hsum (local.get $v2)))))
    (if (i32.ge_u (local.get $rem) (i32.const 4)) (then (i32.store offset=12 (local.get $p) (call $hsum (local.get $v3))))))

  ;; acc[r*outStride + n] = sum_k a[r*aStride + k] * w[n*K8 + k] (int/dot.ts dotRows), wrapped to
  ;; int32, for r < rows, n < count. a and w are int16 rows of K8 elements (a multiple of 8,
  ;; zero past the real row length); w has rows up to a multiple of four (zero rows past count).
  (func (export "dot_i16")
    (param $a i32) (param $aStride i32) (param $rows i32) (param $K8 i32)
    (param $w i32) (param $count i32) (param $out i32) (param $outStride i32)
    (local $as i32) (local $ws i32) (local $n i32) (local $r i32) (local $k i32) (local $rem i32)
    (local $q0 i32) (local $p0 i32) (local $p1 i32) (local $o i32)
    (local $x0 v128) (local $x1 v128) (local $v v128)
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c03 v128)
    (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128)
    (local.set $as (i32.shl (local.get $aStride) (i32.const 1)))
    (local.set $ws (i32.shl (local.get $K8) (i32.const 1)))
    (block $doneN
      (loop $loopN
        (br_if $doneN (i32.ge_u (local.get $n) (local.get $count)))
        (local.set $rem (i32.sub (local.get $count) (local.get $n)))
        (local.set $r (i32.const 0))
        ;; Two rows by four weight rows.
        (block $doneR2
          (loop $loopR2
            (br_if $doneR2 (i32.gt_u (i32.add (local.get $r) (i32.const 2)) (local.get $rows)))
            (local.set $p0 (i32.add (local.get $a) (i32.mul (local.get $r) (local.get $as))))
            (local.set $p1 (i32.add (local.get $p0) (local.get $as)))
            (local.set $q0 (i32.add (local.get $w) (i32.mul (local.get $n) (local.get $ws))))
            (local.set $c00 (v128.const i32x4 0 0 0 0))
            (local.set $c01 (v128.const i32x4 0 0 0 0))
            (local.set $c02 (v128.const i32x4 0 0 0 0))
            (local.set $c03 (v128.const i32x4 0 0 0 0))
            (local.set $c10 (v128.const i32x4 0 0 0 0))
            (local.set $c11 (v128.const i32x4 0 0 0 0))
            (local.set $c12 (v128.const i32x4 0 0 0 0))
            (local.set $c13 (v128.const i32x4 0 0 0 0))
            (local.set $k (i32.const 0))
            (block $doneK
              (loop $loopK
                (br_if $doneK (i32.ge_u (local.get $k) (local.get $ws)))
                (local.set $x0 (v128.load (i32.add (local.get $p0) (local.get $k))))
                (local.set $x1 (v128.load (i32.add (local.get $p1) (local.get $k))))
                (local.set $v (v128.load (i32.add (local.get $q0) (local.get $k))))
                (local.set $c00 (i32x4.add (local.get $c00) (i32x4.dot_i16x8_s (local.get $x0) (local.get $v))))
                (local.set $c10 (i32x4.add (local.get $c10) (i32x4.dot_i16x8_s (local.get $x1) (local.get $v))))
                (local.set $v (v128.load (i32.add (i32.add (local.get $q0) (local.get $ws)) (local.get $k))))
                (local.set $c01 (i32x4.add (local.get $c01) (i32x4.dot_i16x8_s (local.get $x0) (local.get $v))))
                (local.set $c11 (i32x4.add (local.get $c11) (i32x4.dot_i16x8_s (local.get $x1) (local.get $v))))
                (local.set $v (v128.load (i32.add (i32.add (local.get $q0) (i32.shl (local.get $ws) (i32.const 1))) (local.get $k))))
                (local.set $c02 (i32x4.add (local.get $c02) (i32x4.dot_i16x8_s (local.get $x0) (local.get $v))))
                (local.set $c12 (i32x4.add (local.get $c12) (i32x4.dot_i16x8_s (local.get $x1) (local.get $v))))
                (local.set $v
                  (v128.load (i32.add (i32.add (local.get $q0) (i32.mul (local.get $ws) (i32.const 3))) (local.get $k))))
                (local.set $c03 (i32x4.add (local.get $c03) (i32x4.dot_i16x8_s (local.get $x0) (local.get $v))))
                (local.set $c13 (i32x4.add (local.get $c13) (i32x4.dot_i16x8_s (local.get $x1) (local.get $v))))
                (local.set $k (i32.add (local.get $k) (i32.const 16)))
                (br $loopK)))
            (local.set $o
              (i32.add (local.get $out)
                (i32.shl (i32.add (i32.mul (local.get $r) (local.get $outStride)) (local.get $n)) (i32.const 2))))
            (call $storeSums (local.get $o) (local.get $c00) (local.get $c01) (local.get $c02) (local.get $c03) (local.get $rem))
            (call $storeSums (i32.add (local.get $o) (i32.shl (local.get $outStride) (i32.const 2)))
              (local.get $c10) (local.get $c11) (local.get $c12) (local.get $c13) (local.get $rem))
            (local.set $r (i32.add (local.get $r) (i32.const 2)))
            (br $loopR2)))
        ;; A last odd row.
        (if (i32.lt_u (local.get $r) (local.get $rows))
          (then
            (local.set $p0 (i32.add (local.get $a) (i32.mul (local.get $r) (local.get $as))))
            (local.set $q0 (i32.add (local.get $w) (i32.mul (local.get $n) (local.get $ws))))
            (local.set $c00 (v128.const i32x4 0 0 0 0))
            (local.set $c01 (v128.const i32x4 0 0 0 0))
            (local.set $c02 (v128.const i32x4 0 0 0 0))
            (local.set $c03 (v128.const i32x4 0 0 0 0))
            (local.set $k (i32.const 0))
            (block $doneK1
              (loop $loopK1
                (br_if $doneK1 (i32.ge_u (local.get $k) (local.get $ws)))
                (local.set $x0 (v128.load (i32.add (local.get $p0) (local.get $k))))
                (local.set $c00
                  (i32x4.add (local.get $c00) (i32x4.dot_i16x8_s (local.get $x0) (v128.load (i32.add (local.get $q0) (local.get $k))))))
                (local.set $c01
                  (i32x4.add (local.get $c01)
                    (i32x4.dot_i16x8_s (local.get $x0)
                      (v128.load (i32.add (i32.add (local.get $q0) (local.get $ws)) (local.get $k))))))
                (local.set $c02
                  (i32x4.add (local.get $c02)
                    (i32x4.dot_i16x8_s (local.get $x0)
                      (v128.load (i32.add (i32.add (local.get $q0) (i32.shl (local.get $ws) (i32.const 1))) (local.get $k))))))
                (local.set $c03
                  (i32x4.add (local.get $c03)
                    (i32x4.dot_i16x8_s (local.get $x0)
                      (v128.load (i32.add (i32.add (local.get $q0) (i32.mul (local.get $ws) (i32.const 3))) (local.get $k))))))
                (local.set $k (i32.add (local.get $k) (i32.const 16)))
                (br $loopK1)))
            (call $storeSums
              (i32.add (local.get $out)
                (i32.shl (i32.add (i32.mul (local.get $r) (local.get $outStride)) (local.get $n)) (i32.const 2)))
              (local.get $c00) (local.get $c01) (local.get $c02) (local.get $c03) (local.get $rem))))
        (local.set $n (i32.add (local.get $n) (i32.const 4)))
        (br $loopN))))

  ;; Integer depthwise convolution of one NHWC image, channel multiplier 1
  ;; (depthwise_conv_int.ts): acc[oy][ox][c] = sum over the taps inside the image of
  ;; x[iy][ix][c] * w[tap][c], wrapped to int32. x is int16 (input offset already added),
  ;; w is int32 [taps][C], acc is int32; tab is scratch for two tap lists (16 bytes per tap).
  (func (export "depthwise_i32")
    (param $x i32) (param $inH i32) (param $inW i32) (param $C i32)
    (param $w i32) (param $fH i32) (param $fW i32)
    (param $sH i32) (param $sW i32) (param $dH i32) (param $dW i32) (param $padH i32) (param $padW i32)
    (param $outH i32) (param $outW i32) (param $out i32) (param $tab i32)
    (local $oy i32) (local $ox i32) (local $iy0 i32)
    (local $full i32) (local $nFull i32) (local $base i32) (local $t i32) (local $cur i32) (local $end i32)
    (local $c i32) (local $o i32) (local $cx i32) (local $cw i32) (local $xp i32) (local $wq i32)
    (local $v v128) (local $a0 v128) (local $a1 v128) (local $s i32)
    (local.set $full (i32.add (local.get $tab) (i32.shl (i32.mul (local.get $fH) (local.get $fW)) (i32.const 3))))
    (local.set $nFull
      (call $taps (local.get $full) (i32.const 0) (local.get $w) (i32.const 0) (i32.const 0) (i32.const -1) (local.get $inW)
        (local.get $C) (local.get $fH) (local.get $fW) (local.get $dH) (local.get $dW) (i32.const 1) (i32.const 2)))
    (local.set $o (local.get $out))
    (loop $loopY
      (local.set $iy0 (i32.sub (i32.mul (local.get $oy) (local.get $sH)) (local.get $padH)))
      (local.set $ox (i32.const 0))
      (loop $loopX
        (local.set $base
          (call $pixelTaps (local.get $tab) (local.get $full) (local.get $nFull) (local.get $x) (local.get $w)
            (local.get $iy0) (i32.sub (i32.mul (local.get $ox) (local.get $sW)) (local.get $padW))
            (local.get $inH) (local.get $inW) (local.get $C) (local.get $fH) (local.get $fW) (local.get $dH) (local.get $dW)
            (i32.const 1) (i32.const 2)))
        (local.set $cur (global.get $cur))
        (local.set $end (global.get $end))
        ;; Eight channels at a time, then four, then one.
        (local.set $c (i32.const 0))
        (block $doneC8
          (loop $loopC8
            (br_if $doneC8 (i32.gt_u (i32.add (local.get $c) (i32.const 8)) (local.get $C)))
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $cx (i32.add (local.get $base) (i32.shl (local.get $c) (i32.const 1))))
            (local.set $cw (i32.shl (local.get $c) (i32.const 2)))
            (local.set $t (local.get $cur))
            (block $doneT8
              (loop $loopT8
                (br_if $doneT8 (i32.ge_u (local.get $t) (local.get $end)))
                (local.set $v (v128.load align=2 (i32.add (i32.load (local.get $t)) (local.get $cx))))
                (local.set $wq (i32.add (i32.load offset=4 (local.get $t)) (local.get $cw)))
                (local.set $a0
                  (i32x4.add (local.get $a0) (i32x4.mul (i32x4.extend_low_i16x8_s (local.get $v)) (v128.load align=4 (local.get $wq)))))
                (local.set $a1
                  (i32x4.add (local.get $a1)
                    (i32x4.mul (i32x4.extend_high_i16x8_s (local.get $v)) (v128.load offset=16 align=4 (local.get $wq)))))
                (local.set $t (i32.add (local.get $t) (i32.const 8)))
                (br $loopT8)))
            (v128.store align=4 (i32.add (local.get $o) (i32.shl (local.get $c) (i32.const 2))) (local.get $a0))
            (v128.store offset=16 align=4 (i32.add (local.get $o) (i32.shl (local.get $c) (i32.const 2))) (local.get $a1))
            (local.set $c (i32.add (local.get $c) (i32.const 8)))
            (br $loopC8)))
        (if (i32.le_u (i32.add (local.get $c) (i32.const 4)) (local.get $C))
          (then
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $cx (i32.add (local.get $base) (i32.shl (local.get $c) (i32.const 1))))
            (local.set $cw (i32.shl (local.get $c) (i32.const 2)))
            (local.set $t (local.get $cur))
            (block $doneT4
              (loop $loopT4
                (br_if $doneT4 (i32.ge_u (local.get $t) (local.get $end)))
                (local.set $xp (i32.add (i32.load (local.get $t)) (local.get $cx)))
                (local.set $wq (i32.add (i32.load offset=4 (local.get $t)) (local.get $cw)))
                (local.set $a0
                  (i32x4.add (local.get $a0)
                    (i32x4.mul (i32x4.extend_low_i16x8_s (v128.load64_zero align=2 (local.get $xp))) (v128.load align=4 (local.get $wq)))))
                (local.set $t (i32.add (local.get $t) (i32.const 8)))
                (br $loopT4)))
            (v128.store align=4 (i32.add (local.get $o) (i32.shl (local.get $c) (i32.const 2))) (local.get $a0))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))))
        (block $doneC1
          (loop $loopC1
            (br_if $doneC1 (i32.ge_u (local.get $c) (local.get $C)))
            (local.set $s (i32.const 0))
            (local.set $cx (i32.add (local.get $base) (i32.shl (local.get $c) (i32.const 1))))
            (local.set $cw (i32.shl (local.get $c) (i32.const 2)))
            (local.set $t (local.get $cur))
            (block $doneT1
              (loop $loopT1
                (br_if $doneT1 (i32.ge_u (local.get $t) (local.get $end)))
                (local.set $s
                  (i32.add (local.get $s)
                    (i32.mul
                      (i32.load16_s (i32.add (i32.load (local.get $t)) (local.get $cx)))
                      (i32.load (i32.add (i32.load offset=4 (local.get $t)) (local.get $cw))))))
                (local.set $t (i32.add (local.get $t) (i32.const 8)))
                (br $loopT1)))
            (i32.store (i32.add (local.get $o) (i32.shl (local.get $c) (i32.const 2))) (local.get $s))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $loopC1)))
        (local.set $o (i32.add (local.get $o) (i32.shl (local.get $C) (i32.const 2))))
        (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
        (br_if $loopX (i32.lt_u (local.get $ox) (local.get $outW))))
      (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
      (br_if $loopY (i32.lt_u (local.get $oy) (local.get $outH)))))

  ;; Requantization of int32 sums (int/requant.ts requantize), rows of C channels, for the 8-bit
  ;; kernels. Both add addend[c] (the input-offset term and the bias, wrapped to int32) first and
  ;; clamp to [lo, hi]; out is int32. Per-channel parameters sit at par in arrays of C4 (C rounded
  ;; up to four) entries.

  ;; TFLite's reference fixed point, four channels at a time: MultiplyByQuantizedMultiplier(acc,
  ;; mult, shift) = RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(acc << max(shift, 0),
  ;; mult), max(-shift, 0)). par holds addend i32[C4], 2^max(shift, 0) i32[C4] (the wrapping left
  ;; shift as a multiply), mult i32[C4] (never INT32_MIN, so the doubling high mul never saturates)
  ;; and 2^-max(-shift, 0) f64[C4]. The doubling high mul is floor((x * m + 2^30) / 2^31) in i64
  ;; lanes; RoundingDivideByPOT is x / 2^e rounded half away from zero, done exactly in f64.
  ;; When C is not a multiple of four, a row's last group spills into the next row, which
  ;; rewrites it (the last row's spill lands in the buffers' slack).
  (func (export "requant_ref")
    (param $acc i32) (param $rows i32) (param $C i32) (param $par i32)
    (param $outOffset i32) (param $lo i32) (param $hi i32) (param $out i32)
    (local $C4 i32) (local $row i32) (local $r i32) (local $c i32) (local $pShift i32) (local $pMult i32) (local $pScale i32)
    (local $x v128) (local $m v128) (local $a v128) (local $b v128) (local $v0 v128) (local $v1 v128)
    (local $off v128) (local $lov v128) (local $hiv v128)
    (local.set $C4 (i32.and (i32.add (local.get $C) (i32.const 3)) (i32.const -4)))
    (local.set $pShift (i32.add (local.get $par) (i32.shl (local.get $C4) (i32.const 2))))
    (local.set $pMult (i32.add (local.get $par) (i32.shl (local.get $C4) (i32.const 3))))
    (local.set $pScale (i32.add (local.get $par) (i32.mul (local.get $C4) (i32.const 12))))
    (local.set $off (i32x4.splat (local.get $outOffset)))
    (local.set $lov (i32x4.splat (local.get $lo)))
    (local.set $hiv (i32x4.splat (local.get $hi)))
    (local.set $row (i32.shl (local.get $C) (i32.const 2)))
    (block $doneR
      (loop $loopR
        (br_if $doneR (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $doneC
          (loop $loopC
            (br_if $doneC (i32.ge_u (local.get $c) (local.get $row)))
            (local.set $x
              (i32x4.mul
                (i32x4.add (v128.load align=4 (i32.add (local.get $acc) (local.get $c))) (v128.load align=4 (i32.add (local.get $par) (local.get $c))))
                (v128.load align=4 (i32.add (local.get $pShift) (local.get $c)))))
            (local.set $m (v128.load align=4 (i32.add (local.get $pMult) (local.get $c))))
            (local.set $a
              (i64x2.shr_s (i64x2.add (i64x2.extmul_low_i32x4_s (local.get $x) (local.get $m)) (v128.const i64x2 0x40000000 0x40000000))
                (i32.const 31)))
            (local.set $b
              (i64x2.shr_s (i64x2.add (i64x2.extmul_high_i32x4_s (local.get $x) (local.get $m)) (v128.const i64x2 0x40000000 0x40000000))
                (i32.const 31)))
            (local.set $x (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a) (local.get $b)))
            (local.set $v0
              (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $x))
                (v128.load align=8 (i32.add (local.get $pScale) (i32.shl (local.get $c) (i32.const 1))))))
            (local.set $v1
              (f64x2.mul
                (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $x) (local.get $x)))
                (v128.load offset=16 align=8 (i32.add (local.get $pScale) (i32.shl (local.get $c) (i32.const 1))))))
            ;; Half away from zero: floor(v + 0.5) for v >= 0, ceil(v - 0.5) below.
            (local.set $v0
              (v128.bitselect
                (f64x2.ceil (f64x2.sub (local.get $v0) (v128.const f64x2 0.5 0.5)))
                (f64x2.floor (f64x2.add (local.get $v0) (v128.const f64x2 0.5 0.5)))
                (f64x2.lt (local.get $v0) (v128.const f64x2 0 0))))
            (local.set $v1
              (v128.bitselect
                (f64x2.ceil (f64x2.sub (local.get $v1) (v128.const f64x2 0.5 0.5)))
                (f64x2.floor (f64x2.add (local.get $v1) (v128.const f64x2 0.5 0.5)))
                (f64x2.lt (local.get $v1) (v128.const f64x2 0 0))))
            (local.set $x
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (i32x4.trunc_sat_f64x2_s_zero (local.get $v0))
                (i32x4.trunc_sat_f64x2_s_zero (local.get $v1))))
            (v128.store align=4 (i32.add (local.get $out) (local.get $c))
              (i32x4.min_s (i32x4.max_s (i32x4.add (local.get $x) (local.get $off)) (local.get $lov)) (local.get $hiv)))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $loopC)))
        (local.set $acc (i32.add (local.get $acc) (local.get $row)))
        (local.set $out (i32.add (local.get $out) (local.get $row)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $loopR))))

  ;; XNNPACK's float32 requantization: round-half-even(float(acc) * scale[c]) + outOffset.
  (func (export "requant_fp32")
    (param $acc i32) (param $rows i32) (param $C i32) (param $addend i32) (param $scale i32)
    (param $outOffset i32) (param $lo i32) (param $hi i32) (param $out i32)
    (local $end i32) (local $c i32) (local $e i32) (local $v f64)
    (local.set $end (i32.add (local.get $acc) (i32.shl (i32.mul (local.get $rows) (local.get $C)) (i32.const 2))))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $acc) (local.get $end)))
        (local.set $c (i32.const 0))
        (loop $loopC
          (local.set $e (i32.shl (local.get $c) (i32.const 2)))
          (local.set $v
            (f64.add
              (f64.promote_f32
                (f32.nearest
                  (f32.mul
                    (f32.convert_i32_s
                      (i32.add (i32.load (i32.add (local.get $acc) (local.get $e))) (i32.load (i32.add (local.get $addend) (local.get $e)))))
                    (f32.load (i32.add (local.get $scale) (local.get $e))))))
              (f64.convert_i32_s (local.get $outOffset))))
          (if (f64.lt (local.get $v) (f64.convert_i32_s (local.get $lo))) (then (local.set $v (f64.convert_i32_s (local.get $lo)))))
          (if (f64.gt (local.get $v) (f64.convert_i32_s (local.get $hi))) (then (local.set $v (f64.convert_i32_s (local.get $hi)))))
          (i32.store (local.get $out) (i32.trunc_f64_s (local.get $v)))
          (local.set $out (i32.add (local.get $out) (i32.const 4)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br_if $loopC (i32.lt_u (local.get $c) (local.get $C))))
        (local.set $acc (i32.add (local.get $acc) (i32.shl (local.get $C) (i32.const 2))))
        (br $loop))))

  ;; Elementwise float32 ops (activations.ts, binary_loops.ts), four lanes at a time over n values
  ;; rounded up to a multiple of four (the callers' buffers have the slack). f32 lane arithmetic
  ;; equals the JS loops' double arithmetic rounded on the Float32Array store for + - * /.

  ;; RELU: max(v, 0) (NaN stays NaN, -0 becomes 0, as Math.max).
  (func (export "relu_f32") (param $x i32) (param $o i32) (param $n i32)
    (local $end i32) (local $v v128) (local $t v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $v (v128.load align=4 (local.get $x)))
        (v128.store align=4 (local.get $o)
          (f32x4.max (local.get $v) (v128.const f32x4 0 0 0 0)))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $loop))))

  ;; RELU6: v > 6 ? 6 : v > 0 ? v : 0 (NaN becomes 0).
  (func (export "relu6_f32") (param $x i32) (param $o i32) (param $n i32)
    (local $end i32) (local $v v128) (local $t v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $v (v128.load align=4 (local.get $x)))
        (v128.store align=4 (local.get $o)
          (v128.bitselect (v128.const f32x4 6 6 6 6)
          (v128.bitselect (local.get $v) (v128.const f32x4 0 0 0 0) (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0)))
          (f32x4.gt (local.get $v) (v128.const f32x4 6 6 6 6))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $loop))))

  ;; RELU_N1_TO_1: v > 1 ? 1 : v > -1 ? v : -1 (NaN becomes -1).
  (func (export "relu_n1_to_1_f32") (param $x i32) (param $o i32) (param $n i32)
    (local $end i32) (local $v v128) (local $t v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $v (v128.load align=4 (local.get $x)))
        (v128.store align=4 (local.get $o)
          (v128.bitselect (v128.const f32x4 1 1 1 1)
          (v128.bitselect (local.get $v) (v128.const f32x4 -1 -1 -1 -1) (f32x4.gt (local.get $v) (v128.const f32x4 -1 -1 -1 -1)))
          (f32x4.gt (local.get $v) (v128.const f32x4 1 1 1 1))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $loop))))

  ;; HARD_SWISH: v * min(6, max(0, v + 3)) / 6, each step rounded to f32.
  (func (export "hard_swish_f32") (param $x i32) (param $o i32) (param $n i32)
    (local $end i32) (local $v v128) (local $t v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $v (v128.load align=4 (local.get $x)))
        (local.set $t (f32x4.add (local.get $v) (v128.const f32x4 3 3 3 3)))
        (v128.store align=4 (local.get $o)
          (f32x4.div
          (f32x4.mul (local.get $v)
            (v128.bitselect (v128.const f32x4 6 6 6 6)
              (f32x4.max (local.get $t) (v128.const f32x4 0 0 0 0))
              (f32x4.gt (local.get $t) (v128.const f32x4 6 6 6 6))))
          (v128.const f32x4 6 6 6 6)))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $loop))))

  ;; out = a + b over rows of C values, b either as long as a (bStride = C) or one row
  ;; repeated (bStride = 0). Rows are done in order, so the lanes a row's last group writes past its
  ;; end are rewritten by the next row (and the last row's land in the slack).
  (func (export "add_f32") (param $a i32) (param $b i32) (param $o i32) (param $rows i32) (param $C i32) (param $bStride i32)
    (local $r i32) (local $c i32) (local $row i32) (local $bs i32)
    (local.set $row (i32.shl (local.get $C) (i32.const 2)))
    (local.set $bs (i32.shl (local.get $bStride) (i32.const 2)))
    (block $doneR
      (loop $loopR
        (br_if $doneR (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $doneC
          (loop $loopC
            (br_if $doneC (i32.ge_u (local.get $c) (local.get $row)))
            (v128.store align=4 (i32.add (local.get $o) (local.get $c))
              (f32x4.add (v128.load align=4 (i32.add (local.get $a) (local.get $c))) (v128.load align=4 (i32.add (local.get $b) (local.get $c)))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $loopC)))
        (local.set $a (i32.add (local.get $a) (local.get $row)))
        (local.set $o (i32.add (local.get $o) (local.get $row)))
        (local.set $b (i32.add (local.get $b) (local.get $bs)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $loopR))))

  ;; out = a - b over rows of C values, b either as long as a (bStride = C) or one row
  ;; repeated (bStride = 0). Rows are done in order, so the lanes a row's last group writes past its
  ;; end are rewritten by the next row (and the last row's land in the slack).
  (func (export "sub_f32") (param $a i32) (param $b i32) (param $o i32) (param $rows i32) (param $C i32) (param $bStride i32)
    (local $r i32) (local $c i32) (local $row i32) (local $bs i32)
    (local.set $row (i32.shl (local.get $C) (i32.const 2)))
    (local.set $bs (i32.shl (local.get $bStride) (i32.const 2)))
    (block $doneR
      (loop $loopR
        (br_if $doneR (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $doneC
          (loop $loopC
            (br_if $doneC (i32.ge_u (local.get $c) (local.get $row)))
            (v128.store align=4 (i32.add (local.get $o) (local.get $c))
              (f32x4.sub (v128.load align=4 (i32.add (local.get $a) (local.get $c))) (v128.load align=4 (i32.add (local.get $b) (local.get $c)))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $loopC)))
        (local.set $a (i32.add (local.get $a) (local.get $row)))
        (local.set $o (i32.add (local.get $o) (local.get $row)))
        (local.set $b (i32.add (local.get $b) (local.get $bs)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $loopR))))

  ;; out = a * b over rows of C values, b either as long as a (bStride = C) or one row
  ;; repeated (bStride = 0). Rows are done in order, so the lanes a row's last group writes past its
  ;; end are rewritten by the next row (and the last row's land in the slack).
  (func (export "mul_f32") (param $a i32) (param $b i32) (param $o i32) (param $rows i32) (param $C i32) (param $bStride i32)
    (local $r i32) (local $c i32) (local $row i32) (local $bs i32)
    (local.set $row (i32.shl (local.get $C) (i32.const 2)))
    (local.set $bs (i32.shl (local.get $bStride) (i32.const 2)))
    (block $doneR
      (loop $loopR
        (br_if $doneR (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $doneC
          (loop $loopC
            (br_if $doneC (i32.ge_u (local.get $c) (local.get $row)))
            (v128.store align=4 (i32.add (local.get $o) (local.get $c))
              (f32x4.mul (v128.load align=4 (i32.add (local.get $a) (local.get $c))) (v128.load align=4 (i32.add (local.get $b) (local.get $c)))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $loopC)))
        (local.set $a (i32.add (local.get $a) (local.get $row)))
        (local.set $o (i32.add (local.get $o) (local.get $row)))
        (local.set $b (i32.add (local.get $b) (local.get $bs)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $loopR))))

  ;; PRELU: v >= 0 ? v : v * alpha, alpha laid out as b of the ops above.
  (func (export "prelu_f32") (param $a i32) (param $b i32) (param $o i32) (param $rows i32) (param $C i32) (param $bStride i32)
    (local $r i32) (local $c i32) (local $row i32) (local $bs i32) (local $v v128)
    (local.set $row (i32.shl (local.get $C) (i32.const 2)))
    (local.set $bs (i32.shl (local.get $bStride) (i32.const 2)))
    (block $doneR
      (loop $loopR
        (br_if $doneR (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $doneC
          (loop $loopC
            (br_if $doneC (i32.ge_u (local.get $c) (local.get $row)))
            (local.set $v (v128.load align=4 (i32.add (local.get $a) (local.get $c))))
            (v128.store align=4 (i32.add (local.get $o) (local.get $c))
              (v128.bitselect (local.get $v)
                (f32x4.mul (local.get $v) (v128.load align=4 (i32.add (local.get $b) (local.get $c))))
                (f32x4.ge (local.get $v) (v128.const f32x4 0 0 0 0))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $loopC)))
        (local.set $a (i32.add (local.get $a) (local.get $row)))
        (local.set $o (i32.add (local.get $o) (local.get $row)))
        (local.set $b (i32.add (local.get $b) (local.get $bs)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $loopR))))

  ;; x[i] += offset for n int16 values, eight at a time (rounded up: the buffer has slack); the
  ;; integer depthwise kernel's input with its offset added.
  (func (export "add_i16") (param $x i32) (param $n i32) (param $offset i32)
    (local $end i32) (local $v v128)
    (local.set $v (i16x8.splat (local.get $offset)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 1))))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (v128.store align=2 (local.get $x) (i16x8.add (v128.load align=2 (local.get $x)) (local.get $v)))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (br $loop))))

  ;; The receptive fields of one output row of a CONV_2D (conv.ts gatherPatches), as f64 for
  ;; matmul_f64: for each of outW pixels a row of fH*fW*fC values, zero outside the image. x is
  ;; the f32 NHWC image (channel offset chan0 of inC), out the f64 rows.
  (func (export "patches_f64")
    (param $x i32) (param $inH i32) (param $inW i32) (param $inC i32) (param $chan0 i32)
    (param $fH i32) (param $fW i32) (param $fC i32) (param $sW i32) (param $dH i32) (param $dW i32)
    (param $iy0 i32) (param $padW i32) (param $outW i32) (param $out i32)
    (local $ox i32) (local $ix0 i32) (local $fy i32) (local $fx i32) (local $iy i32) (local $ix i32)
    (local $src i32) (local $end i32)
    (loop $loopX
      (local.set $ix0 (i32.sub (i32.mul (local.get $ox) (local.get $sW)) (local.get $padW)))
      (local.set $fy (i32.const 0))
      (loop $loopFy
        (local.set $iy (i32.add (local.get $iy0) (i32.mul (local.get $fy) (local.get $dH))))
        (local.set $fx (i32.const 0))
        (loop $loopFx
          (local.set $ix (i32.add (local.get $ix0) (i32.mul (local.get $fx) (local.get $dW))))
          (local.set $end (i32.add (local.get $out) (i32.shl (local.get $fC) (i32.const 3))))
          ;; Unsigned compares: negative coordinates are outside too.
          (if (i32.and (i32.lt_u (local.get $iy) (local.get $inH)) (i32.lt_u (local.get $ix) (local.get $inW)))
            (then
              (local.set $src
                (i32.add (local.get $x)
                  (i32.shl
                    (i32.add (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $inW)) (local.get $ix)) (local.get $inC)) (local.get $chan0))
                    (i32.const 2))))
              (loop $copy
                (f64.store (local.get $out) (f64.promote_f32 (f32.load (local.get $src))))
                (local.set $src (i32.add (local.get $src) (i32.const 4)))
                (local.set $out (i32.add (local.get $out) (i32.const 8)))
                (br_if $copy (i32.lt_u (local.get $out) (local.get $end)))))
            (else
              (loop $zero
                (f64.store (local.get $out) (f64.const 0))
                (local.set $out (i32.add (local.get $out) (i32.const 8)))
                (br_if $zero (i32.lt_u (local.get $out) (local.get $end))))))
          (local.set $fx (i32.add (local.get $fx) (i32.const 1)))
          (br_if $loopFx (i32.lt_u (local.get $fx) (local.get $fW))))
        (local.set $fy (i32.add (local.get $fy) (i32.const 1)))
        (br_if $loopFy (i32.lt_u (local.get $fy) (local.get $fH))))
      (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
      (br_if $loopX (i32.lt_u (local.get $ox) (local.get $outW)))))

  ;; The same for the 8-bit CONV_2D (conv_int.ts gatherIntPatches): int16 image and rows, rows
  ;; of `stride` values (the real length padded to eight), taps outside holding padValue.
  (func (export "patches_i16")
    (param $x i32) (param $inH i32) (param $inW i32) (param $inC i32) (param $chan0 i32)
    (param $fH i32) (param $fW i32) (param $fC i32) (param $sW i32) (param $dH i32) (param $dW i32)
    (param $iy0 i32) (param $padW i32) (param $outW i32) (param $out i32) (param $stride i32) (param $padValue i32)
    (local $ox i32) (local $ix0 i32) (local $fy i32) (local $fx i32) (local $iy i32) (local $ix i32)
    (local $src i32) (local $end i32) (local $p i32)
    (loop $loopX
      (local.set $ix0 (i32.sub (i32.mul (local.get $ox) (local.get $sW)) (local.get $padW)))
      (local.set $p (i32.add (local.get $out) (i32.shl (i32.mul (local.get $ox) (local.get $stride)) (i32.const 1))))
      (local.set $fy (i32.const 0))
      (loop $loopFy
        (local.set $iy (i32.add (local.get $iy0) (i32.mul (local.get $fy) (local.get $dH))))
        (local.set $fx (i32.const 0))
        (loop $loopFx
          (local.set $ix (i32.add (local.get $ix0) (i32.mul (local.get $fx) (local.get $dW))))
          (local.set $end (i32.add (local.get $p) (i32.shl (local.get $fC) (i32.const 1))))
          (if (i32.and (i32.lt_u (local.get $iy) (local.get $inH)) (i32.lt_u (local.get $ix) (local.get $inW)))
            (then
              (local.set $src
                (i32.add (local.get $x)
                  (i32.shl
                    (i32.add (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $inW)) (local.get $ix)) (local.get $inC)) (local.get $chan0))
                    (i32.const 1))))
              (loop $copy
                (i32.store16 (local.get $p) (i32.load16_s (local.get $src)))
                (local.set $src (i32.add (local.get $src) (i32.const 2)))
                (local.set $p (i32.add (local.get $p) (i32.const 2)))
                (br_if $copy (i32.lt_u (local.get $p) (local.get $end)))))
            (else
              (loop $pad
                (i32.store16 (local.get $p) (local.get $padValue))
                (local.set $p (i32.add (local.get $p) (i32.const 2)))
                (br_if $pad (i32.lt_u (local.get $p) (local.get $end))))))
          (local.set $fx (i32.add (local.get $fx) (i32.const 1)))
          (br_if $loopFx (i32.lt_u (local.get $fx) (local.get $fW))))
        (local.set $fy (i32.add (local.get $fy) (i32.const 1)))
        (br_if $loopFy (i32.lt_u (local.get $fy) (local.get $fH))))
      (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
      (br_if $loopX (i32.lt_u (local.get $ox) (local.get $outW)))))

  ;; MAX_POOL_2D / AVERAGE_POOL_2D of one NHWC image (pooling.ts), four channels at a time: the
  ;; window clipped to the image, taps in window order; max keeps v > acc (NaN never wins, from
  ;; -inf), average sums in f32 and divides by the taps inside. A pixel's last group spills into
  ;; the next pixel, which rewrites it (the last pixel's spill lands in the slack).
  (func (export "pool_f32")
    (param $x i32) (param $inH i32) (param $inW i32) (param $C i32) (param $outH i32) (param $outW i32)
    (param $sH i32) (param $sW i32) (param $fH i32) (param $fW i32) (param $padTop i32) (param $padLeft i32)
    (param $isMax i32) (param $out i32)
    (local $oy i32) (local $ox i32) (local $y0 i32) (local $y1 i32) (local $x0 i32) (local $x1 i32)
    (local $y i32) (local $xx i32) (local $c i32) (local $row i32) (local $p i32) (local $acc v128) (local $v v128) (local $init v128)
    (local.set $row (i32.shl (local.get $C) (i32.const 2)))
    (local.set $init
      (select (v128.const f32x4 -inf -inf -inf -inf) (v128.const f32x4 0 0 0 0) (local.get $isMax)))
    (loop $loopY
      (local.set $y0 (i32.sub (i32.mul (local.get $oy) (local.get $sH)) (local.get $padTop)))
      (local.set $y1 (i32.add (local.get $y0) (local.get $fH)))
      (if (i32.lt_s (local.get $y0) (i32.const 0)) (then (local.set $y0 (i32.const 0))))
      (if (i32.gt_s (local.get $y1) (local.get $inH)) (then (local.set $y1 (local.get $inH))))
      (local.set $ox (i32.const 0))
      (loop $loopX
        (local.set $x0 (i32.sub (i32.mul (local.get $ox) (local.get $sW)) (local.get $padLeft)))
        (local.set $x1 (i32.add (local.get $x0) (local.get $fW)))
        (if (i32.lt_s (local.get $x0) (i32.const 0)) (then (local.set $x0 (i32.const 0))))
        (if (i32.gt_s (local.get $x1) (local.get $inW)) (then (local.set $x1 (local.get $inW))))
        (local.set $c (i32.const 0))
        (block $doneC
          (loop $loopC
            (br_if $doneC (i32.ge_u (local.get $c) (local.get $row)))
            (local.set $acc (local.get $init))
            (local.set $y (local.get $y0))
            (block $doneTy
              (loop $loopTy
                (br_if $doneTy (i32.ge_s (local.get $y) (local.get $y1)))
                (local.set $xx (local.get $x0))
                (block $doneTx
                  (loop $loopTx
                    (br_if $doneTx (i32.ge_s (local.get $xx) (local.get $x1)))
                    (local.set $v
                      (v128.load align=4
                        (i32.add (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (local.get $y) (local.get $inW)) (local.get $xx)) (local.get $row)))
                          (local.get $c))))
                    (if (local.get $isMax)
                      (then (local.set $acc (v128.bitselect (local.get $v) (local.get $acc) (f32x4.gt (local.get $v) (local.get $acc)))))
                      (else (local.set $acc (f32x4.add (local.get $acc) (local.get $v)))))
                    (local.set $xx (i32.add (local.get $xx) (i32.const 1)))
                    (br $loopTx)))
                (local.set $y (i32.add (local.get $y) (i32.const 1)))
                (br $loopTy)))
            (if (i32.eqz (local.get $isMax))
              (then
                (local.set $acc
                  (f32x4.div (local.get $acc)
                    (f32x4.splat (f32.convert_i32_s (i32.mul (i32.sub (local.get $y1) (local.get $y0)) (i32.sub (local.get $x1) (local.get $x0)))))))))
            (v128.store align=4 (i32.add (local.get $out) (local.get $c)) (local.get $acc))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $loopC)))
        (local.set $out (i32.add (local.get $out) (local.get $row)))
        (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
        (br_if $loopX (i32.lt_u (local.get $ox) (local.get $outW))))
      (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
      (br_if $loopY (i32.lt_u (local.get $oy) (local.get $outH)))))
)
