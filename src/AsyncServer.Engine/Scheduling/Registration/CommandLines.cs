namespace AsyncServer.Scheduling.Registration;

/// <summary>The command lines a service or task runs, and the quoting each scheduler needs.</summary>
public static class CommandLines
{
    /// <summary>A PowerShell single-quoted string literal.</summary>
    public static string PowerShellLiteral(string value) => "'" + value.Replace("'", "''") + "'";

    /// <summary>What a scheduled task runs in pwsh: the same cmdlet an operator would type.</summary>
    public static string ScheduleScript(RegistrationOptions o, string schedule) =>
        $"Import-Module {PowerShellLiteral(o.ModulePath)}; Start-AsyncDistribution -Schedule {PowerShellLiteral(schedule)} -ConfigurationPath {PowerShellLiteral(o.ConfigurationPath)} -ErrorAction Stop";

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
        var escaped = value.Replace("%", "%%").Replace("$", "$$");
        if (escaped.Length > 0 && !escaped.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or ';')) return escaped;
        return "\"" + escaped.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }

    /// <summary>A value in a systemd setting that expands specifiers (WorkingDirectory=, Description=).</summary>
    public static string SystemdValue(string value) => value.Replace("%", "%%");

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
