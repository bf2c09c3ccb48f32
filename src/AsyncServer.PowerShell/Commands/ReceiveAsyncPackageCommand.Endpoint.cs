using System.Management.Automation;
using AsyncServer.Client;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Endpoint;
using AsyncServer.Messaging;
using AsyncServer.PowerShell.Internal;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// Receive-AsyncPackage -Server: the store's client over the HQ endpoint. It needs no AsyncServer configuration and
/// no message-database login: the endpoint URL, the channel database's secret (-Credential: the password; the user
/// name is the channel database id or anything), the channel database's own connection and a local folder.
/// </summary>
public sealed partial class ReceiveAsyncPackageCommand
{
    private const string ClientSettingsSet = "ClientSettings";

    private void ProcessEndpoint()
    {
        if (Credential is null && ClientCertificate is null)
            ThrowTerminatingError(new ErrorRecord(new AsyncServerException(ErrorIds.SecretNotFound, ErrorKind.InvalidArgument,
                "Receive-AsyncPackage -Server needs -Credential (the channel database's secret as the password; " +
                "New-AsyncChannelCredential at HQ makes it) or -ClientCertificate."),
                ErrorIds.SecretNotFound, ErrorCategory.InvalidArgument, Server));
        if (ChannelConnectionString is null)
            ThrowTerminatingError(new ErrorRecord(new AsyncServerException(ErrorIds.ChannelConnectionMissing, ErrorKind.InvalidArgument,
                "Receive-AsyncPackage -Server needs -ChannelConnectionString (and -ChannelProvider unless it is SQLite): the store's own channel database."),
                ErrorIds.ChannelConnectionMissing, ErrorCategory.InvalidArgument, Server));
        var secret = Credential?.GetNetworkCredential().Password;
        foreach (var db in ChannelDatabase)
        {
            var provider = DatabaseProviderNames.Parse(ChannelProvider ?? "sqlite", "-ChannelProvider");
            var local = LocalFolder is null
                ? Path.Combine(SessionState.Path.CurrentFileSystemLocation.ProviderPath, "client", db)
                : GetUnresolvedProviderPathFromPSPath(LocalFolder);
            var request = new RemoteReceiveRequest(Server!, db, secret, ResolvedConnection.FromString(provider, ChannelConnectionString!), local)
            {
                MaxSessions = First ?? 0,
                ClientId = InstanceId,
                ClientOptions = new EndpointClientOptions { CertificateThumbprint = CertificateThumbprint, ClientCertificate = ClientCertificate },
            };
            ReceiveRemote(request);
        }
    }

    /// <summary>-ClientSettingsPath: everything -Server takes, from the store's client settings file (StoreClientSettings).</summary>
    private void ProcessClientSettings()
    {
        var path = GetUnresolvedProviderPathFromPSPath(ClientSettingsPath!);
        foreach (var db in ChannelDatabase)
        {
            var request = TryRun(_ => Task.FromResult(StoreClientSettings.Load(path, db)), path);
            if (request is not null) ReceiveRemote(request with { MaxSessions = First ?? 0, ClientId = InstanceId });
        }
    }

    /// <summary>The -WhatIf listing or the run, over the endpoint (both endpoint parameter sets).</summary>
    private void ReceiveRemote(RemoteReceiveRequest request)
    {
        var (db, server) = (request.ChannelDatabase, request.Server);
        var receiver = PackageReceiver.Create(EngineLog);
        if (MyInvocation.BoundParameters.ContainsKey("WhatIf"))
        {
            WritePlan(TryRun(async ct =>
            {
                await using var transport = EndpointReceiveTransport.Create(request, EngineLog);
                return await receiver.PlanAsync(transport, request.MaxSessions, ct).ConfigureAwait(false);
            }, db), $"Channel database {db} has no pending session at {server}.");
            return;
        }
        if (!ShouldProcess($"channel database {db} from {server}", "Receive and apply pending packages")) return;
        var progress = NewProgress();
        try
        {
            WriteSessions(TryRun(async ct =>
            {
                await using var transport = EndpointReceiveTransport.Create(request, EngineLog);
                return await receiver.RunAsync(transport, request.MaxSessions, progress, ct).ConfigureAwait(false);
            }, db));
        }
        finally
        {
            // One Completed record per bar, as on the direct path (issue 17, point 2).
            CompleteProgress(ProgressId, $"Receiving packages for {db} from {server}");
        }
    }
}
