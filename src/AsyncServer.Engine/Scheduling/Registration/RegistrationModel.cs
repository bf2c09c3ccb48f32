namespace AsyncServer.Scheduling.Registration;

/// <summary>The AsyncServer service (one process runs every schedule), or one scheduled task per schedule.</summary>
public enum RegistrationKind { Service, Task }

/// <summary>Which scheduler the files are for: systemd on Linux, Task Scheduler and the service manager on Windows.</summary>
public enum RegistrationPlatform { Linux, Windows }

/// <summary>Everything the unit and task writers need; the cmdlet fills in defaults and full paths.</summary>
public sealed record RegistrationOptions
{
    public required string ConfigurationPath { get; init; }
    public required string WorkingDirectory { get; init; }
    /// <summary>The account the service or task runs as. Null: root on Linux, LocalSystem on Windows.</summary>
    public string? User { get; init; }
    /// <summary>pwsh, for scheduled tasks.</summary>
    public string PwshPath { get; init; } = "pwsh";
    /// <summary>The module manifest the task imports.</summary>
    public string ModulePath { get; init; } = "AsyncServer";
    /// <summary>AsyncServer.Service.dll (run by dotnet) or a published executable.</summary>
    public string ServicePath { get; init; } = "AsyncServer.Service.dll";
    /// <summary>The dotnet host that runs a .dll service.</summary>
    public string DotnetPath { get; init; } = "dotnet";
    /// <summary>Unit name of the service, and prefix of the task units and Task Scheduler folder.</summary>
    public string ServiceName { get; init; } = "asyncserver";
    public int? MaxParallelRuns { get; init; }
    /// <summary>Service: run only these schedules (empty: every active schedule with a recurrence).</summary>
    public IReadOnlyList<string> Schedules { get; init; } = [];

    public string TaskUnitName(string schedule) => $"{ServiceName}-schedule-{UnitNames.Escape(schedule)}";
}

/// <summary>One file a registration writes: a systemd unit, a Task Scheduler XML definition or an install script.</summary>
public sealed record UnitFile(string FileName, string Content);

/// <summary>What Register-AsyncDistributionSchedule installed (or would install), and how to find it again.</summary>
public sealed class ScheduleRegistration
{
    /// <summary>The unit, task or service name.</summary>
    public string Name { get; init; } = "";
    public RegistrationKind Kind { get; init; }
    public RegistrationPlatform Platform { get; init; }
    /// <summary>The schedule a task runs; empty for the service.</summary>
    public string Schedule { get; init; } = "";
    /// <summary>OnCalendar / OnUnitActiveSec / trigger description.</summary>
    public string Trigger { get; init; } = "";
    /// <summary>The command line that runs.</summary>
    public string Command { get; init; } = "";
    /// <summary>The files written (full paths).</summary>
    public IReadOnlyList<string> Files { get; init; } = [];
    /// <summary>True when the scheduler was told (systemctl enable --now, schtasks, sc.exe); false when files were only written.</summary>
    public bool Activated { get; init; }

    public override string ToString() => $"{Kind} {Name}{(Schedule.Length > 0 ? $" ({Schedule})" : "")}";
}

/// <summary>Unit and task names derived from schedule names.</summary>
public static class UnitNames
{
    /// <summary>Letters, digits, '_', '.' and '-' are kept; anything else becomes '_' (systemd and Task Scheduler both accept the result).</summary>
    public static string Escape(string name) => new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '_').ToArray());
}
