using System.Net;
using System.Text;
using AsyncServer.Endpoint;
using AsyncServer.Messaging;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AsyncServer.Service.Endpoint;

/// <summary>
/// Authenticates every /api request as one channel database: HTTP Basic with the channel database id as the user
/// name and its secret as the password (the original Async Client's user name and password). Failures are
/// rate-limited per remote address and logged with the address and the claimed channel database, never the secret.
/// The channel database is the configuration's spelling of the id; the handlers read it from <see cref="ChannelOf"/>.
/// </summary>
public sealed class ChannelAuthentication(
    EndpointState state, EndpointSettings settings, FailedAuthenticationLimiter limiter, ILogger<ChannelAuthentication> log)
{
    private const string ItemKey = "asyncserver.channelDatabase";
    private const string PendingKey = "asyncserver.pendingSessions";
    public const string ClientVersionHeader = "X-AsyncServer-Client-Version";

    public static string ChannelOf(HttpContext context) => (string)context.Items[ItemKey]!;

    /// <summary>
    /// Marks a route that lists the caller's pending sessions: the authentication reads them in the same round trip
    /// as the credentials (a store's poll, the endpoint's most frequent request), and the route takes them from
    /// <see cref="PendingSessionsOf"/>.
    /// </summary>
    public sealed class ReadsPendingSessions;

    /// <summary>The caller's pending sessions, when the authentication read them (<see cref="ReadsPendingSessions"/>); null otherwise.</summary>
    public static IReadOnlyList<DownloadSessionRecord>? PendingSessionsOf(HttpContext context)
        => context.Items.TryGetValue(PendingKey, out var pending) ? (IReadOnlyList<DownloadSessionRecord>?)pending : null;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var remote = context.Connection.RemoteIpAddress ?? IPAddress.None;
        if (limiter.IsBlocked(remote))
        {
            context.Response.Headers.RetryAfter =
                ((int)FailedAuthenticationLimiter.Window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Problems.Write(context, StatusCodes.Status429TooManyRequests, "Too many failed authentications",
                "This address failed to authenticate too often; wait a minute before trying again.");
            return;
        }
        var (claimed, secret) = ParseBasic(context.Request.Headers.Authorization.ToString());
        string? channel = claimed is null ? null : state.CanonicalChannelDatabase(claimed);
        var version = context.Request.Headers[ClientVersionHeader].ToString();
        if (string.IsNullOrEmpty(version)) version = context.Request.Headers.UserAgent.ToString();
        var contact = new ChannelContact(Printable(version), remote.ToString());
        var authenticated = false;
        if (channel is not null && secret is not null)
            authenticated = await AuthenticateAsync(context, channel, secret, contact).ConfigureAwait(false);
        else if (claimed is null && settings.ClientCertificates.Count > 0
                 && await context.Connection.GetClientCertificateAsync(context.RequestAborted).ConfigureAwait(false) is { } certificate)
        {
            // Mutual TLS: the certificate's SHA-256 thumbprint, mapped to a channel database in the settings.
            var thumbprint = certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);
            claimed = settings.ClientCertificates.GetValueOrDefault(thumbprint) is { } mapped ? mapped : $"(certificate {thumbprint[..16]}...)";
            channel = settings.ClientCertificates.ContainsKey(thumbprint) ? state.CanonicalChannelDatabase(claimed) : null;
            if (channel is not null)
            {
                await state.Endpoint.RecordContactAsync(channel, contact, context.RequestAborted).ConfigureAwait(false);
                authenticated = true;
            }
        }
        if (!authenticated)
        {
            limiter.RecordFailure(remote);
            log.LogWarning("Failed authentication from {Remote} for channel database {Claimed} ({Why}).", remote, Printable(claimed) ?? "(none)",
                claimed is null ? "no Basic credentials" : channel is null ? "unknown channel database" : "wrong, revoked or expired secret");
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"AsyncServer\", charset=\"UTF-8\"";
            await Problems.Write(context, StatusCodes.Status401Unauthorized, "Not authenticated",
                "Authenticate with HTTP Basic: the channel database id as the user name and its secret (New-AsyncChannelCredential) as the password.");
            return;
        }
        context.Items[ItemKey] = channel;
        await next(context).ConfigureAwait(false);
    }

    private async Task<bool> AuthenticateAsync(HttpContext context, string channel, string secret, ChannelContact contact)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<ReadsPendingSessions>() is null)
            return await state.Endpoint.AuthenticateAsync(channel, secret, contact, context.RequestAborted).ConfigureAwait(false) is not null;
        var pending = await state.Endpoint.AuthenticateAndReadAsync(channel, secret, contact, state.MessageStore.PendingSessionsRead(channel),
            context.RequestAborted).ConfigureAwait(false);
        if (pending is not null) context.Items[PendingKey] = pending;
        return pending is not null;
    }

    private static (string? User, string? Secret) ParseBasic(string header)
    {
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) || header.Length > 2048) return (null, null);
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = text.IndexOf(':');
            return colon <= 0 ? (null, null) : (text[..colon], text[(colon + 1)..]);
        }
        catch (FormatException) { return (null, null); }
    }

    /// <summary>Client-supplied text that goes into logs and the database: printable ASCII only, bounded.</summary>
    private static string? Printable(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        var clean = new string(text.Where(ch => ch is >= ' ' and <= '~').Take(100).ToArray());
        return clean.Length == 0 ? null : clean;
    }
}
