using AsyncServer.Configuration;
using AsyncServer.Diagnostics;

namespace AsyncServer.Scheduling.Registration;

/// <summary>The command lines a service or task runs, and the quoting each scheduler needs.</summary>
public static class CommandLines
{
    /// <summary>
    /// Every character PowerShell's tokenizer takes for a single quote: the apostrophe and the typographic
    /// quotes U+2018, U+2019, U+201A and U+201B. Doubling only the apostrophe let a name with ’ end the literal.
    /// </summary>
    private const string PowerShellSingleQuotes = "'\u2018\u2019\u201A\u201B";

    /// <summary>A PowerShell single-quoted string literal: every single-quote character inside is doubled.</summary>
    public static string PowerShellLiteral(string value)
    {
        var text = new System.Text.StringBuilder(value.Length + 2).Append('\'');
        foreach (var c in value)
        {
            if (PowerShellSingleQuotes.Contains(c)) text.Append(c);
            text.Append(c);
        }
        return text.Append('\'').ToString();
    }

    /// <summary>What a scheduled task runs in pwsh: the same cmdlet an operator would type.</summary>
    public static string ScheduleScript(RegistrationOptions o, string schedule) =>
        $"Import-Module {PowerShellLiteral(o.ModulePath)}; Start-AsyncDistribution -Schedule {PowerShellLiteral(schedule)} " +
        $"-ConfigurationPath {PowerShellLiteral(o.ConfigurationPath)} -ErrorAction Stop";

    /// <summary>pwsh and its arguments for a scheduled task.</summary>
    public static IReadOnlyList<string> ScheduleCommand(RegistrationOptions o, string schedule) =>
        [o.PwshPath, "-NoLogo", "-NoProfile", "-NonInteractive", "-Command", ScheduleScript(o, schedule)];

    /// <summary>The service host and its options.</summary>
    public static IReadOnlyList<string> ServiceCommand(RegistrationOptions o)
    {
        var args = new List<string>();
        if (o.ServicePath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) args.Add(o.DotnetPath);
        args.Add(o.ServicePath);
        args.AddRange(["--configuration-path", o.ConfigurationPath]);
        if (o.MaxParallelRuns is { } max) args.AddRange(["--max-parallel-runs", max.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (o.Schedules.Count > 0) args.AddRange(["--schedules", string.Join(',', o.Schedules)]);
        return args;
    }

    /// <summary>
    /// One systemd command-line word: specifiers (%) and variables ($) are escaped by doubling, and a word
    /// with spaces, quotes or backslashes is double-quoted with C-style escapes.
    /// </summary>
    public static string SystemdWord(string value)
    {
        RefuseLineBreaks(value);
        var escaped = value.Replace("%", "%%").Replace("$", "$$");
        if (escaped.Length > 0 && !escaped.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or ';')) return escaped;
        return "\"" + escaped.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }

    /// <summary>
    /// A value in a systemd setting that expands specifiers (WorkingDirectory=, Description=). A unit file has no
    /// escape for a line break, and a trailing backslash continues the line: either would let a name write its
    /// own settings (ExecStartPre=+... runs as root), so both are refused.
    /// </summary>
    public static string SystemdValue(string value)
    {
        RefuseLineBreaks(value);
        if (value.EndsWith('\\'))
            throw new AsyncServerException(ErrorIds.ConfigurationInvalid, ErrorKind.InvalidArgument,
                $"'{Printable(value)}' cannot be written into a systemd unit: it ends with a backslash, which would continue the line.", Printable(value));
        return value.Replace("%", "%%");
    }

    /// <summary>A comment line of a unit file: control characters become '?', so the text stays one line.</summary>
    public static string SystemdComment(string text) => Printable(text);

    private static void RefuseLineBreaks(string value)
    {
        if (NameRules.FirstControlCharacter(value) is { } at)
            throw new AsyncServerException(ErrorIds.ConfigurationInvalid, ErrorKind.InvalidArgument,
                $"'{Printable(value)}' cannot be written into a systemd unit: it holds the control character U+{(int)value[at]:X4} at position {at + 1}.",
                Printable(value));
    }

    private static string Printable(string value) => new(value.Select(c => NameRules.IsForbidden(c) ? '?' : c).ToArray());

    /// <summary>One Windows command-line argument (CommandLineToArgvW rules).</summary>
    public static string WindowsWord(string value)
    {
        if (value.Length > 0 && !value.Any(c => char.IsWhiteSpace(c) || c == '"')) return value;
        var result = new System.Text.StringBuilder("\"");
        var backslashes = 0;
        foreach (var c in value)
        {
            if (c == '\\') { backslashes++; continue; }
            if (c == '"') result.Append('\\', backslashes * 2 + 1).Append('"');
            else result.Append('\\', backslashes).Append(c);
            backslashes = 0;
        }
        return result.Append('\\', backslashes * 2).Append('"').ToString();
    }
}
