# bash completion for bluechictl and its alias ctl.
#
# Installed as /usr/share/bash-completion/completions/bluechictl (and ctl), where
# bash-completion loads it on demand; it needs none of that package's helper
# functions, so `source` it from ~/.bashrc on systems without it. The candidates
# come from `bluechictl __complete INDEX WORDS...`, which asks the controller for
# node and unit names when it can be reached (root only) and stays silent when not.

_bluechictl() {
    local -a words=()
    local i word
    # bash splits words at '=' and ':' (COMP_WORDBREAKS): join `--kill-whom`, `=`,
    # `main` back into the one word the program will see.
    for ((i = 0; i <= COMP_CWORD && i < ${#COMP_WORDS[@]}; i++)); do
        word=${COMP_WORDS[i]}
        if ((i > 1)) && [[ $word == [=:] || ${COMP_WORDS[i - 1]} == [=:] ]]; then
            words[${#words[@]} - 1]+=$word
        else
            words+=("$word")
        fi
    done
    ((COMP_CWORD < ${#COMP_WORDS[@]})) || words+=('')
    local cword=$((${#words[@]} - 1))
    local cur=${words[cword]}

    COMPREPLY=()
    local candidate
    while IFS= read -r candidate; do
        COMPREPLY+=("$candidate")
    done < <(command "${words[0]}" __complete "$cword" "${words[@]}" 2>/dev/null)

    # Readline replaces only the text after the last word break in the word:
    # drop what comes before it from every candidate.
    local breaks=${COMP_WORDBREAKS//[^=:]/}
    if [[ -n $breaks && $cur == *[$breaks]* ]]; then
        local prefix=${cur%"${cur##*[$breaks]}"}
        COMPREPLY=("${COMPREPLY[@]#"$prefix"}")
    fi
    # `--filter=` and friends: the value follows without a space.
    for candidate in "${COMPREPLY[@]}"; do
        if [[ $candidate == *= ]]; then
            compopt -o nospace 2>/dev/null
            break
        fi
    done
    return 0
}

complete -F _bluechictl bluechictl ctl
