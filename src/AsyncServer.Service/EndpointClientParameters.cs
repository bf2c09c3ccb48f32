using System.Management.Automation;
using System.Security;

namespace AsyncServer.Service;

/// <summary>
/// Receive-AsyncPackage -Server parameters for --mode Client over the endpoint. The secret is read from its file at the start
/// of every run (<see cref="ScheduledWork.Parameters"/>), so writing a rotated secret into the file is enough; it never
/// appears on a command line or in a log.
/// </summary>
public static class EndpointClientParameters
{
    public static Dictionary<string, object> For(string channelDatabase, ServiceOptions.EndpointClientSettings s)
    {
        if (!File.Exists(s.SecretFile)) throw new ArgumentException($"client.secretFile {s.SecretFile} does not exist.");
        var secret = new SecureString();
        foreach (var ch in File.ReadAllText(s.SecretFile).Trim()) secret.AppendChar(ch);
        secret.MakeReadOnly();
        var parameters = new Dictionary<string, object>
        {
            ["ChannelDatabase"] = channelDatabase,
            ["Server"] = s.Server,
            ["Credential"] = new PSCredential(channelDatabase, secret),
            ["ChannelConnectionString"] = s.ChannelConnectionString,
        };
        if (s.ChannelProvider is { Length: > 0 } provider) parameters["ChannelProvider"] = provider;
        if (s.LocalFolder is { Length: > 0 } folder) parameters["LocalFolder"] = folder;
        if (s.CertificateThumbprint is { Length: > 0 } thumbprint) parameters["CertificateThumbprint"] = thumbprint;
        return parameters;
    }

    /// <summary>Send-AsyncPackage -Server: the same, less the receive-only local folder.</summary>
    public static Dictionary<string, object> ForSend(string channelDatabase, ServiceOptions.EndpointClientSettings s)
    {
        var parameters = For(channelDatabase, s);
        parameters.Remove("LocalFolder");
        return parameters;
    }
}
