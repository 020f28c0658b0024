#!/bin/bash
# Self-test of check_align_dump.py on dumps written by make_fake_dump.py (which uses the
# update functions of bench/torch_peer.py): every correct dump must pass, every corrupted
# copy must fail. Exits non-zero on any unexpected result.
# usage: tests/python/test_checker.sh   (uses /usr/bin/python3 unless PYTHON is set)
set -u
PY=${PYTHON:-/usr/bin/python3}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
n=0

make() {  # make NAME ARGS...
    local name=$1; shift
    if ! "$PY" "$HERE/make_fake_dump.py" "$TMP/$name.h5" "$@" > "$TMP/$name.make.log" 2>&1; then
        echo "ERROR: make_fake_dump $name $*"; cat "$TMP/$name.make.log"; fails=$((fails + 1)); return 1
    fi
}

expect() {  # expect pass|fail NAME [checker args]
    local want=$1 name=$2; shift 2
    n=$((n + 1))
    "$PY" "$HERE/check_align_dump.py" "$TMP/$name.h5" "$@" > "$TMP/$name.check.log" 2>&1
    local rc=$?
    if { [ "$want" = pass ] && [ $rc -eq 0 ]; } || { [ "$want" = fail ] && [ $rc -eq 1 ]; }; then
        echo "ok   ($want as expected) $name: $(grep -m1 -E '^(PASS|FAIL)' "$TMP/$name.check.log" | cut -c1-120)"
        [ "$want" = fail ] && grep -m1 '^  - ' "$TMP/$name.check.log" | cut -c1-120
    else
        echo "BAD  expected $want, checker rc=$rc: $name"; cat "$TMP/$name.check.log"
        fails=$((fails + 1))
    fi
}

corrupt() {  # corrupt SRC DST PYTHON-STATEMENT (f = h5py.File of DST, opened r+)
    cp "$TMP/$1.h5" "$TMP/$2.h5"
    "$PY" -c "import h5py, numpy as np
f = h5py.File('$TMP/$2.h5', 'r+')
$3
f.close()" || { echo "ERROR: corrupt $2"; fails=$((fails + 1)); }
}

# ---- correct dumps: must pass
make gait_sq3       --algorithm gait --layers 3
make gait_sq2       --algorithm gait --layers 2 --gamma 1e-3
make gait_sq5       --algorithm gait --layers 5
make gait_tower4    --algorithm gait --net tower --layers 4
make gait_tower3    --algorithm gait --net tower --layers 3 --width 24
make gait_ce_lin    --algorithm gait --layers 3 --loss cross_entropy --output-activation linear
make gait_ce5       --algorithm gait --layers 5 --loss cross_entropy
make gait_bigg      --algorithm gait --layers 3 --gamma 0.5 --batch 32     # units cross the kink
make gait_bigg5     --algorithm gait --layers 5 --gamma 0.5 --batch 32
make gait_adapt3    --algorithm gait --layers 3 --adaptive-gamma --gamma 1e-7
make gait_adapt5    --algorithm gait --net tower --layers 5 --adaptive-gamma --gamma 1e-7
make gait_adaptbig  --algorithm gait --layers 3 --adaptive-gamma --gamma 0.3
make gait_orth      --algorithm gait --layers 4 --weight-noise 0 --bias-scale 0
make tp_sq3         --algorithm tp --layers 3
make tp_tower4      --algorithm tp --net tower --layers 4 --loss cross_entropy
make bp_sq4         --algorithm bp --layers 4
make bp_tower_ce    --algorithm bp --net tower --layers 4 --loss cross_entropy --output-activation linear
make fa_sq4         --algorithm fa --layers 4
make fa_tower       --algorithm fa --net tower --layers 3
for f in gait_sq3 gait_sq2 gait_sq5 gait_tower4 gait_tower3 gait_ce_lin gait_ce5 gait_bigg gait_bigg5 \
         gait_adapt3 gait_adapt5 gait_adaptbig gait_orth tp_sq3 tp_tower4 bp_sq4 bp_tower_ce fa_sq4 fa_tower; do
    expect pass "$f"
done

# ---- corrupted copies: must fail
corrupt gait_sq3    c_gait_dW1x1.1   "f['layers/1/dW'][...] = 1.1 * f['layers/1/dW'][()]"
corrupt gait_sq5    c_gait5_dW1x1.1  "f['layers/1/dW'][...] = 1.1 * f['layers/1/dW'][()]"
corrupt gait_tower4 c_gait_db2       "f['layers/2/db'][0] += 1e-3 * np.abs(f['layers/2/db'][()]).max()"
corrupt gait_sq3    c_gait_is_bp     "for l in '123': f['layers/'+l+'/dW'][...] = f['layers/'+l+'/dW_bp'][()]; f['layers/'+l+'/db'][...] = f['layers/'+l+'/db_bp'][()]"
# (no "gamma changed" case at small gamma: with piecewise-linear f and no unit crossing the
#  kink, fixed-gamma GAIT does not depend on gamma at all; c_gait_nokink covers gamma.)
corrupt gait_bigg   c_gait_nokink    "f.attrs['gamma'] = 0.45"
corrupt gait_adapt3 c_gait_fixed     "f.attrs['adaptive_gamma'] = 0"
corrupt gait_sq3    c_gait_dWbp2     "f['layers/2/dW_bp'][...] = 1.1 * f['layers/2/dW_bp'][()]"
corrupt gait_ce_lin c_gait_loss      "f.attrs['loss'] = 'mse'"
corrupt tp_sq3      c_tp_dW1x1.1     "f['layers/1/dW'][...] = 1.1 * f['layers/1/dW'][()]"
corrupt bp_sq4      c_bp_dW1x1.1     "f['layers/1/dW'][...] = 1.1 * f['layers/1/dW'][()]"
corrupt bp_sq4      c_bp_labels      "f['y'][0] = (f['y'][0] + 1) % 5"
corrupt fa_sq4      c_fa_top         "f['layers/4/dW'][...] = 1.1 * f['layers/4/dW'][()]"
corrupt fa_sq4      c_fa_bp1         "f['layers/1/dW_bp'][...] = 1.1 * f['layers/1/dW_bp'][()]"
corrupt gait_sq3    c_missing        "del f['layers/2/db_bp']"
corrupt gait_sq3    c_nan            "f['layers/1/dW'][0, 0] = np.nan"
corrupt gait_sq3    c_badact         "f['layers/2'].attrs['activation'] = 'tanh'"
for f in c_gait_dW1x1.1 c_gait5_dW1x1.1 c_gait_db2 c_gait_is_bp c_gait_nokink c_gait_fixed \
         c_gait_dWbp2 c_gait_loss c_tp_dW1x1.1 c_bp_dW1x1.1 c_bp_labels c_fa_top c_fa_bp1 c_missing c_nan c_badact; do
    expect fail "$f"
done

# ---- fa: layers below the top are not checkable, so scaling them must NOT fail
corrupt fa_sq4 fa_lower_scaled "f['layers/1/dW'][...] = 1.1 * f['layers/1/dW'][()]"
expect pass fa_lower_scaled

# ---- the big-gamma dumps really exercise the kink branch of the delta form
"$PY" - "$TMP/gait_bigg.h5" <<'EOF' || { echo "BAD  kink branch not exercised"; fails=$((fails + 1)); }
import sys, h5py, numpy as np
sys.path.insert(0, __import__("os").path.dirname(sys.argv[0]) or ".")
f = h5py.File(sys.argv[1], "r")
h, L, crossed = f["x"][()], len(f["layers"]), 0
hs = []
for l in range(1, L + 1):
    W, b = f["layers/%d/W" % l][()], f["layers/%d/b" % l][()]
    a = h[:, :W.shape[0]] @ W + b
    h = np.where(a > 0, a, 0.1 * a); hs.append(h)
# top-layer nudge s_L = gamma d^2 (h - t): count units that change side
C = int(f.attrs["classes"]); y = f["y"][()]
t = hs[-1].copy(); t[:, :C] = 0; t[np.arange(len(y)), y] = 1
d = np.where(hs[-1] > 0, 1.0, 0.1)
m = hs[-1] - float(f.attrs["gamma"]) * d**2 * (hs[-1] - t)
crossed = int(np.sum((m > 0) != (hs[-1] > 0)))
print("ok   gait_bigg: %d output units cross the kink at the top nudge" % crossed)
sys.exit(0 if crossed > 0 else 1)
EOF
n=$((n + 1))

echo "$n checks, $fails unexpected"
[ $fails -eq 0 ]
