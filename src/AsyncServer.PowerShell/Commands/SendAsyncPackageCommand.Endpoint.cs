using System.Globalization;
using System.Management.Automation;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Endpoint;
using AsyncServer.Upload;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// Send-AsyncPackage -Server: the store sends through the HQ endpoint, with no AsyncServer configuration and no message-database
/// login: the endpoint URL, the channel database's secret (-Credential) or client certificate, and its own channel database.
/// The upload jobs and where each table starts come from the endpoint. The address and TLS parameters are Receive-AsyncPackage
/// -Server's (<see cref="Internal.StoreEndpointCmdlet"/>).
/// </summary>
public sealed partial class SendAsyncPackageCommand
{
    /// <summary>Endpoint: the store's own channel database.</summary>
    [Parameter(Mandatory = true, ParameterSetName = EndpointSet)]
    [ValidateNotNullOrEmpty]
    public string? ChannelConnectionString { get; set; }

    private void ProcessEndpoint()
    {
        if (Credential is null && ClientCertificate is null)
            ThrowTerminatingError(new ErrorRecord(new AsyncServerException(ErrorIds.SecretNotFound, ErrorKind.InvalidArgument,
                "Send-AsyncPackage -Server needs -Credential (the channel database's secret as the password; New-AsyncChannelCredential at HQ " +
                "makes it) or -ClientCertificate."), ErrorIds.SecretNotFound, ErrorCategory.InvalidArgument, Server));
        var secret = Credential?.GetNetworkCredential().Password;
        foreach (var db in ChannelDatabase)
        {
            var request = new RemoteUploadRequest(Server!, db, secret,
                new ConnectionSettings { Provider = ChannelProvider ?? "sqlite", ConnectionString = ChannelConnectionString })
            {
                ClientId = InstanceId,
                ClientOptions = new EndpointClientOptions { CertificateThumbprint = CertificateThumbprint, ClientCertificate = ClientCertificate },
            };
            if (MyInvocation.BoundParameters.ContainsKey("WhatIf"))
            {
                foreach (var t in (TryRun(ct => RemoteUploadSender.PlanAsync(request, EngineLog, Job, ct), db) ?? []).SelectMany(r => r.Tables))
                    ShouldProcess($"{t.Rows} row(s) of {t.ChannelTable} (counters {t.FromCounter}..{t.ToCounter}] " +
                        $"from channel database {db}, job {t.JobId}, to {Server}", "Send");
                continue;
            }
            if (!ShouldProcess($"channel database {db} to {Server}", "Send new rows to HQ")) continue;
            foreach (var run in TryRun(ct => RemoteUploadSender.SendAsync(request, EngineLog, Job, ct), db) ?? [])
            {
                if (run.SessionId is null) { WriteVerbose($"Channel database {db}, job {run.JobId}: {run.Message}."); continue; }
                WriteResult(new UploadSession
                {
                    Id = run.SessionId.Value, Job = run.JobId, ChannelDatabase = run.ChannelDatabase, Status = run.Status ?? default,
                    RowCount = run.Rows, PackagePath = run.PackageFile, Tables = new(run.Tables.Select(t => string.Create(CultureInfo.InvariantCulture,
                        $"{t.Subjob} ({t.FromCounter}..{t.ToCounter}] {t.Rows}")).ToList()), Message = run.Message,
                });
            }
        }
    }
}
