package crema.cli;

import crema.cli.Args.Flag;
import crema.cli.Commands.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes crema's man pages (roff) and bash completion from {@link Commands},
 * at build time: `Docs OUT_DIR` makes OUT_DIR/man8/crema.8, crema-COMMAND.8
 * for each command, and OUT_DIR/bash-completion/crema. Not part of the crema
 * executable: nothing in crema calls it.
 */
public final class Docs {
    private Docs() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) throw new IllegalArgumentException("usage: Docs OUT_DIR");
        Path man8 = Files.createDirectories(Path.of(args[0], "man8"));
        Files.writeString(man8.resolve("crema.8"), cremaPage());
        for (Command c : Commands.ALL) Files.writeString(man8.resolve("crema-" + c.name() + ".8"), commandPage(c));
        Path bash = Files.createDirectories(Path.of(args[0], "bash-completion"));
        Files.writeString(bash.resolve("crema"), bashCompletion());
    }

    /**
     * A bash completion without bash-completion's helpers: commands, each
     * command's flags and their values, container ids from `crema list -q`
     * (with the --root of the line), signal names for kill.
     */
    static String bashCompletion() {
        StringBuilder spec = new StringBuilder();
        StringBuilder values = new StringBuilder();
        specCase(spec, values, "\"\"", "", Commands.GLOBAL);
        StringBuilder names = new StringBuilder();
        StringBuilder idCommands = new StringBuilder();
        StringBuilder leading = new StringBuilder(" ");
        for (Command c : Commands.ALL) {
            names.append(names.length() > 0 ? " " : "").append(c.name());
            specCase(spec, values, c.name(), c.name(), c.flags());
            // an existing container's id; create and run name a new one
            if (c.arguments().startsWith("<container-id>") && c != Commands.CREATE && c != Commands.RUN) idCommands.append(idCommands.length() > 0 ? "|" : "").append(c.name()).append(":0");
            if (c.flagsEndAtId()) leading.append(c.name()).append(' ');
        }
        String signals = String.join(" ", crema.lifecycle.Signals.names());
        return """
                # bash completion for crema(8), written by crema's build from its table of commands and flags

                # $1: a command ("" for the global flags); sets flags (to offer) and values (" name " of each flag taking a value)
                _crema_spec() {
                    case $1 in
                %s        *) flags= values=" " ;;
                    esac
                }

                # $1: the command, $2: a flag's name; completes that flag's value
                _crema_value() {
                    case "$1:$2" in
                %s    esac
                }

                _crema() {
                    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
                    local command= word name i positionals=0 ended= flags values
                    local -a root=()
                    COMPREPLY=()
                    # bash splits "--format=json" into three words: "--format" "=" "json"
                    if [[ $cur == = ]]; then cur=; elif [[ $prev == = ]]; then prev=${COMP_WORDS[COMP_CWORD-2]}; fi
                    for ((i = 1; i < COMP_CWORD; i++)); do
                        word=${COMP_WORDS[i]}
                        name=${word#-}; name=${name#-}
                        if [[ -n $ended || $word != -* || $word == - ]]; then
                            if [[ -z $command ]]; then command=$word; else ((positionals++)); fi
                            [[ $positionals -gt 0 && "%s" == *" $command "* ]] && ended=1
                            continue
                        fi
                        [[ $word == -- ]] && { ended=1; continue; }
                        if [[ -z $command && $name == root=* ]]; then root=(--root "${name#root=}"); continue; fi
                        [[ $word == *=* ]] && continue
                        _crema_spec "$command"
                        if [[ $values == *" $name "* ]]; then
                            [[ ${COMP_WORDS[i+1]} == = ]] && ((i++))
                            [[ -z $command && $name == root ]] && root=(--root "${COMP_WORDS[i+1]}")
                            ((i++))
                        fi
                    done
                    name=${prev#-}; name=${name#-}
                    _crema_spec "$command"
                    if [[ -z $ended && $prev == -* && $prev != *=* && $values == *" $name "* ]]; then
                        _crema_value "$command" "$name"
                        return
                    fi
                    if [[ -z $ended && $cur == -* ]]; then
                        COMPREPLY=($(compgen -W "$flags" -- "$cur"))
                        return
                    fi
                    if [[ -z $command ]]; then
                        COMPREPLY=($(compgen -W "%s" -- "$cur"))
                        return
                    fi
                    case $command:$positionals in
                        help:0|h:0) COMPREPLY=($(compgen -W "%s" -- "$cur")) ;;
                        kill:1) COMPREPLY=($(compgen -W "%s" -- "$cur")) ;;
                        %s)
                            COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" "${root[@]}" list -q 2>/dev/null)" -- "$cur")) ;;
                    esac
                }
                complete -o default -F _crema crema
                """.formatted(spec, values, leading, names, names, signals, idCommands);
    }

    /** One case of _crema_spec, and the cases of _crema_value for the flags that complete something. */
    private static void specCase(StringBuilder spec, StringBuilder values, String pattern, String command, List<Flag> flags) {
        StringBuilder offered = new StringBuilder();
        StringBuilder taking = new StringBuilder(" ");
        for (Flag f : flags) {
            for (String n : f.names()) {
                offered.append(offered.length() > 0 ? " " : "").append(n.length() == 1 ? "-" : "--").append(n);
                if (f.takesValue()) taking.append(n).append(' ');
            }
            if (f.completion() == null) continue;
            String reply = switch (f.completion()) {
                case "file" -> "compgen -f -- \"$cur\"";
                case "dir" -> "compgen -d -- \"$cur\"";
                default -> "compgen -W \"" + f.completion() + "\" -- \"$cur\"";
            };
            StringBuilder labels = new StringBuilder();
            for (String n : f.names()) labels.append(labels.length() > 0 ? "|" : "").append('"').append(command).append(':').append(n).append('"');
            values.append("        ").append(labels).append(") COMPREPLY=($(").append(reply).append(")) ;;\n");
        }
        spec.append("        ").append(pattern).append(") flags=\"").append(offered).append("\" values=\"").append(taking)
                .append("\" ;;\n");
    }

    static String cremaPage() {
        StringBuilder s = header("crema", "an OCI container runtime");
        s.append(".SH SYNOPSIS\n.B crema\n[global options] command [command options] [arguments...]\n");
        s.append(".SH DESCRIPTION\n").append(text("""
                crema runs containers from OCI bundles, a directory with a config.json and a root filesystem,
                as the OCI runtime specification describes; container engines (podman, containerd, dockerd)
                call it as they call runc. Global options come before the command."""));
        s.append(".SH COMMANDS\n");
        for (Command c : Commands.ALL) {
            s.append(".TP\n.B ").append(roff(c.name())).append('\n').append(text(c.summary()))
                    .append("See \\fBcrema\\-").append(roff(c.name())).append("\\fR(8).\n");
        }
        s.append(".SH GLOBAL OPTIONS\n");
        options(s, Commands.GLOBAL);
        s.append(".SH SEE ALSO\n");
        for (int i = 0; i < Commands.ALL.size(); i++) {
            s.append(i > 0 ? ",\n" : "").append("\\fBcrema\\-").append(roff(Commands.ALL.get(i).name())).append("\\fR(8)");
        }
        return s.append('\n').toString();
    }

    static String commandPage(Command c) {
        StringBuilder s = header("crema-" + c.name(), c.summary());
        String[] synopsis = Help.synopsis(c).split(" ", 3);
        s.append(".SH SYNOPSIS\n.B crema ").append(roff(c.name())).append('\n');
        if (synopsis.length > 2) s.append(text(synopsis[2]));
        if (c.description() != null) s.append(".SH DESCRIPTION\n").append(text(c.description()));
        s.append(".SH OPTIONS\n");
        options(s, c.flags());
        s.append(".SH SEE ALSO\n\\fBcrema\\fR(8)\n");
        return s.toString();
    }

    private static StringBuilder header(String name, String summary) {
        StringBuilder s = new StringBuilder();
        s.append(".TH ").append(roff(name.toUpperCase())).append(" 8 \"\" \"crema ").append(Main.VERSION)
                .append("\" \"System Administration\"\n");
        s.append(".SH NAME\n").append(roff(name)).append(" \\- ").append(roff(summary)).append('\n');
        return s;
    }

    private static void options(StringBuilder s, List<Flag> flags) {
        for (Flag f : flags) {
            s.append(".TP\n");
            StringBuilder names = new StringBuilder();
            for (String n : f.names()) {
                if (names.length() > 0) names.append(", ");
                names.append("\\fB").append(n.length() == 1 ? "\\-" : "\\-\\-").append(roff(n)).append("\\fR");
                if (f.takesValue()) names.append(" \\fIvalue\\fR");
            }
            s.append(names).append('\n').append(text(Help.meaning(f)));
        }
    }

    /** Lines of running text: escaped, none starting with a roff control character. */
    private static String text(String t) {
        StringBuilder s = new StringBuilder();
        for (String line : t.split("\n")) s.append("\\&").append(roff(line.strip())).append('\n');
        return s.toString();
    }

    private static String roff(String t) {
        return t.replace("\\", "\\e").replace("-", "\\-");
    }
}
