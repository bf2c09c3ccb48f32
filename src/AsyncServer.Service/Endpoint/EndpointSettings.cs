using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;

namespace AsyncServer.Service.Endpoint;

/// <summary>One address the endpoint listens on, parsed from https://ADDRESS:PORT.</summary>
public sealed record ListenAddress(string Text, bool Https, IPAddress? Address, bool Localhost, int Port)
{
    public bool IsLoopback => Localhost || (Address is not null && IPAddress.IsLoopback(Address));

    /// <summary>https://0.0.0.0:8443, https://[::]:8443, https://127.0.0.1:0 (any free port), http://localhost:5080, https://*:8443.</summary>
    public static ListenAddress Parse(string text)
    {
        if (!Uri.TryCreate(text.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal),
                UriKind.Absolute, out var uri)
            || uri.Scheme is not ("https" or "http") || (uri.AbsolutePath != "/" && uri.AbsolutePath != "") || !string.IsNullOrEmpty(uri.Query)
            || uri.IsDefaultPort && !text.Contains(':', StringComparison.Ordinal))
            throw new ArgumentException($"--listen '{text}' is not an address such as https://0.0.0.0:8443 (scheme, IP address or localhost, port; no path).");
        var port = uri.IsDefaultPort ? (uri.Scheme == "https" ? 443 : 80) : uri.Port;
        if (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            if (port == 0) throw new ArgumentException($"--listen '{text}': port 0 (any free port) needs an IP address such as 127.0.0.1, not localhost.");
            return new ListenAddress(text, uri.Scheme == "https", null, true, port);
        }
        if (!IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address))
            throw new ArgumentException(
                $"--listen '{text}': '{uri.Host}' is not an IP address; listen on an address (0.0.0.0 for all) and give clients the host name.");
        return new ListenAddress(text, uri.Scheme == "https", address, false, port);
    }
}

/// <summary>Where the server certificate comes from. The password is read from the environment or a file, never from the command line.</summary>
public sealed record CertificateSettings(string Path, string? KeyPath, string? PasswordEnvironmentVariable, string? PasswordFile);

/// <summary>
/// The endpoint's settings: --listen, and the settings file's "endpoint" section (certificate, limits, the plain-HTTP
/// opt-in). Checked at start: a listener that is not TLS on a non-loopback address is refused unless
/// allowPlainHttp is set, and then logged loudly.
/// </summary>
public sealed record EndpointSettings
{
    public IReadOnlyList<ListenAddress> Listen { get; init; } = [];
    public CertificateSettings? Certificate { get; init; }
    public bool AllowPlainHttp { get; init; }
    /// <summary>Largest request body (reports and lease requests are a few hundred bytes).</summary>
    public long MaxRequestBodyBytes { get; init; } = 16 * 1024;
    /// <summary>Largest upload package a store may send (PUT /api/v1/uploads/{id}/package); the only route allowed more than MaxRequestBodyBytes.</summary>
    public long MaxUploadBytes { get; init; } = 1L << 30;
    /// <summary>All request headers together.</summary>
    public int MaxRequestHeadersBytes { get; init; } = 16 * 1024;
    /// <summary>Failed authentications a remote address may make per minute before it gets 429.</summary>
    public int FailedAuthenticationsPerMinute { get; init; } = 10;
    /// <summary>
    /// Mutual TLS: client certificates by SHA-256 thumbprint (hex) to the channel database they authenticate as.
    /// Empty: clients are not asked for a certificate. A request with HTTP Basic credentials is judged by those.
    /// </summary>
    public IReadOnlyDictionary<string, string> ClientCertificates { get; init; } = new Dictionary<string, string>();

    public bool NeedsCertificate => Listen.Any(l => l.Https);
    public IEnumerable<ListenAddress> PlainNonLoopback => Listen.Where(l => !l.Https && !l.IsLoopback);

    public static EndpointSettings From(IReadOnlyList<string> listen, IConfiguration c)
    {
        var section = c.GetSection("Endpoint");
        var addresses = listen.Select(ListenAddress.Parse).ToList();
        var cert = section.GetSection("Certificate");
        CertificateSettings? certificate = string.IsNullOrWhiteSpace(cert["Path"]) ? null
            : new CertificateSettings(cert["Path"]!, NullIfEmpty(cert["KeyPath"]), NullIfEmpty(cert["PasswordEnvironmentVariable"]),
                NullIfEmpty(cert["PasswordFile"]));
        var settings = new EndpointSettings
        {
            Listen = addresses,
            Certificate = certificate,
            AllowPlainHttp = Bool(section, "AllowPlainHttp"),
            MaxRequestBodyBytes = Number(section, "MaxRequestBodyBytes", 16 * 1024, 1024, 1024 * 1024),
            MaxUploadBytes = Number(section, "MaxUploadBytes", 1L << 30, 1024, 64L << 30),
            MaxRequestHeadersBytes = (int)Number(section, "MaxRequestHeadersBytes", 16 * 1024, 4 * 1024, 256 * 1024),
            FailedAuthenticationsPerMinute = (int)Number(section, "FailedAuthenticationsPerMinute", 10, 1, 10_000),
            ClientCertificates = ClientCertificateMap(section.GetSection("ClientCertificates")),
        };
        if (settings.NeedsCertificate && certificate is null)
            throw new ArgumentException("The endpoint listens on https but the settings file names no certificate: " +
                "set \"endpoint\": { \"certificate\": { \"path\": \"server.pfx\", \"passwordFile\": \"...\" } } (docs/endpoint.md).");
        var plain = settings.PlainNonLoopback.ToList();
        if (plain.Count > 0 && !settings.AllowPlainHttp)
            throw new ArgumentException($"--listen {string.Join(", ", plain.Select(p => p.Text))}: " +
                "plain HTTP on an address that is not loopback would send channel secrets in clear text. " +
                "Use https, or set \"endpoint\": { \"allowPlainHttp\": true } if TLS ends at a proxy in front of the service.");
        return settings;
    }

    private static Dictionary<string, string> ClientCertificateMap(IConfigurationSection section)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in section.GetChildren())
        {
            var thumbprint = entry.Key.Replace(" ", "", StringComparison.Ordinal).Replace(":", "", StringComparison.Ordinal);
            if (thumbprint.Length != 64 || !thumbprint.All(char.IsAsciiHexDigit))
                throw new ArgumentException($"endpoint.clientCertificates: '{entry.Key}' is not a SHA-256 thumbprint " +
                    "(64 hex digits; PowerShell: $cert.GetCertHashString('SHA256')).");
            if (string.IsNullOrWhiteSpace(entry.Value))
                throw new ArgumentException($"endpoint.clientCertificates.{entry.Key}: name the channel database the certificate authenticates as.");
            map[thumbprint] = entry.Value.Trim();
        }
        return map;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static bool Bool(IConfiguration c, string key)
    {
        var text = c[key];
        if (text is null) return false;
        return bool.TryParse(text, out var b) ? b : throw new ArgumentException($"endpoint.{key} '{text}' is not true or false.");
    }

    private static long Number(IConfiguration c, string key, long fallback, long min, long max)
    {
        var text = c[key];
        if (text is null) return fallback;
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n : throw new ArgumentException($"endpoint.{key} '{text}' is not a whole number from {min} to {max}.");
    }
}
