namespace AsyncServer.PowerShell.Internal;

/// <summary>
/// Where Get-Help -Online goes: each cmdlet's section of docs/cmdlets.md in the project's repository (the
/// manifest's ProjectUri). PowerShell opens only http and https addresses, so a file in the module cannot be
/// the target. Change this and the manifest's ProjectUri and HelpInfoUri together (a test checks they agree).
/// </summary>
internal static class HelpLinks
{
    public const string ProjectUri = "https://github.com/asyncserver/AsyncServer";

    /// <summary>The cmdlet reference; a cmdlet's HelpUri adds "#verb-noun", the anchor of its section.</summary>
    public const string CmdletReference = ProjectUri + "/blob/main/docs/cmdlets.md";
}
