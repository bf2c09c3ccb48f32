namespace AsyncServer.Scheduling.Registration;

/// <summary>
/// The Windows service, installed through sc.exe (what New-Service does): automatic delayed start, restart
/// on failure. Built-in accounts and group managed service accounts need no password; other accounts are
/// set afterwards in services.msc or with sc.exe config ... obj= password=.
/// </summary>
public static class WindowsService
{
    public static string DisplayName => "AsyncServer distribution service";

    /// <summary>Each inner list is one sc.exe invocation's arguments.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> InstallCommands(RegistrationOptions o)
    {
        var binPath = string.Join(' ', CommandLines.ServiceCommand(o).Select(CommandLines.WindowsWord));
        var create = new List<string> { "create", o.ServiceName, "binPath=", binPath, "start=", "delayed-auto", "DisplayName=", DisplayName };
        if (!string.IsNullOrWhiteSpace(o.User)) create.AddRange(["obj=", o.User!]);
        return
        [
            create,
            ["description", o.ServiceName, "Distributes headquarters changes to channel databases on the schedules of " + o.ConfigurationPath],
            ["failure", o.ServiceName, "reset=", "86400", "actions=", "restart/60000/restart/60000/restart/60000"],
            ["start", o.ServiceName],
        ];
    }

    public static IReadOnlyList<IReadOnlyList<string>> RemoveCommands(RegistrationOptions o) => [["stop", o.ServiceName], ["delete", o.ServiceName]];

    /// <summary>The same commands as a script, for -UnitPath (to review, or run on another machine).</summary>
    public static UnitFile InstallScript(RegistrationOptions o) => new(o.ServiceName + ".install.cmd",
        "@rem Written by Register-AsyncDistributionSchedule -Service: installs the AsyncServer Windows service.\r\n" +
        string.Concat(InstallCommands(o).Select(args => "sc.exe " + string.Join(' ', args.Select(CommandLines.WindowsWord)) + "\r\n")));
}
