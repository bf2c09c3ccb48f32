using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace AsyncServer.Service.Operations;

/// <summary>
/// Who may read the status page and /metrics: a caller on the loopback address, or one presenting the operator's
/// credential (HTTP Basic, operations.operatorUser and the password in operations.operatorPasswordFile). A store's
/// credential is never accepted here: stores authenticate against the message database, the operator against this file.
/// Without a password file, other machines get 403 (put a proxy with its own authentication in front, or bind loopback).
/// </summary>
public sealed class OperatorAccess
{
    private readonly string _user;
    private readonly byte[]? _passwordHash;

    public OperatorAccess(OperationsSettings settings)
    {
        _user = settings.OperatorUser;
        if (settings.OperatorPasswordFile is { } file)
        {
            // Read once at start; the file's trailing newline is not part of the password.
            var password = File.ReadAllText(file).TrimEnd('\r', '\n');
            if (password.Length < 12)
                throw new InvalidDataException($"The operator password in {file} is shorter than 12 characters.");
            _passwordHash = SHA256.HashData(Encoding.UTF8.GetBytes(password));
        }
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (IsLoopback(context) || HasOperatorCredential(context.Request))
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = _passwordHash is null ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized;
        if (_passwordHash is not null) context.Response.Headers.WWWAuthenticate = "Basic realm=\"AsyncServer operations\", charset=\"UTF-8\"";
    }

    private static bool IsLoopback(HttpContext context)
        => context.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address);

    private bool HasOperatorCredential(HttpRequest request)
    {
        if (_passwordHash is null) return false;
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return false;
        string decoded;
        try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim())); }
        catch (FormatException) { return false; }
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0) return false;
        var userMatches = CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(decoded[..colon]), Encoding.UTF8.GetBytes(_user));
        var passwordMatches = CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(decoded[(colon + 1)..])), _passwordHash);
        return userMatches && passwordMatches;
    }
}
