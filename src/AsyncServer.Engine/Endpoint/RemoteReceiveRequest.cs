using AsyncServer.Data;

namespace AsyncServer.Endpoint;

/// <summary>What a store needs to receive over the endpoint: no HQ configuration and no message-database access.</summary>
public sealed record RemoteReceiveRequest(Uri Server, string ChannelDatabase, string? Secret, ResolvedConnection ChannelConnection, string LocalFolder)
{
    /// <summary>Stop after this many sessions (0 = all that are pending).</summary>
    public int MaxSessions { get; init; }
    /// <summary>Names this client in the receive lease; default host-pid.</summary>
    public string? ClientId { get; init; }
    public EndpointClientOptions ClientOptions { get; init; } = new();

    public static string DefaultClientId =>
        new string($"{Environment.MachineName}-{Environment.ProcessId}"
            .Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or '-' ? ch : '-').ToArray()) is { Length: > 0 } id
            ? id[..Math.Min(id.Length, 100)]
            : "client";
}
