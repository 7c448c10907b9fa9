# Sourced by bench/run.sh and bench/spark.sh (which set BIN): the generated deliveries under
# bench/data, made once per size and reused while their marker says they are complete.
generate() { # name orders customers products; prints the delivery's folder
    local dir=bench/data/$1
    if [ ! -f "$dir/.complete-$2-$3" ]; then
        rm -rf "$dir"
        echo "generating $1 ($2 orders)..." >&2
        $BIN generate --out "$dir" --orders "$2" --customers "$3" --products "$4" --seed 42 > /dev/null 2>&1
        touch "$dir/.complete-$2-$3"
    fi
    echo "$dir"
}
