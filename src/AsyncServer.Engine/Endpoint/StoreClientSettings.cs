using System.Text.Json;
using AsyncServer.Data;
using AsyncServer.Diagnostics;

namespace AsyncServer.Endpoint;

/// <summary>
/// The store-side client configuration file: the "client" section of the service's settings file for --mode Client,
/// <c>{"client": {"channelDatabase", "server", "secretFile", "channelConnectionString", "channelProvider", "localFolder",
/// "certificateThumbprint"}}</c>, so one small file at a store serves both the service and
/// <c>Receive-AsyncPackage HOUSTON -ClientSettingsPath</c>. The secret never sits in the file: it names the file that holds it.
/// Relative paths are relative to the settings file. Errors name the file and the member.
/// </summary>
public static class StoreClientSettings
{
    /// <param name="channelDatabase">The channel database asked for: the file's channelDatabase, when it names one, must be the same.</param>
    public static RemoteReceiveRequest Load(string path, string channelDatabase)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new AsyncServerException(ErrorIds.ConfigurationNotFound, ErrorKind.ObjectNotFound, $"The client settings file {full} does not exist.", full);
        JsonElement client;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(full), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            client = doc.RootElement.TryGetProperty("client", out var c) && c.ValueKind == JsonValueKind.Object
                ? c.Clone()
                : throw Invalid(full, "$.client", "is missing");
        }
        catch (JsonException ex)
        {
            throw new AsyncServerException(ErrorIds.ConfigurationSyntax, ErrorKind.InvalidData,
                $"The client settings file {full} is not valid JSON: {ex.Message}", full, ex);
        }
        var folder = Path.GetDirectoryName(full)!;
        string? Text(string name)
            => client.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;
        string Required(string name, string what) => Text(name) ?? throw Invalid(full, "$.client." + name, $"is missing: {what}");
        var serverText = Required("server", "the endpoint URL, such as https://hq.example.com:8443");
        if (!Uri.TryCreate(serverText, UriKind.Absolute, out var server) || server.Scheme is not ("https" or "http"))
            throw Invalid(full, "$.client.server", $"'{serverText}' is not a URL such as https://hq.example.com:8443");
        var secretFile = Path.GetFullPath(Required("secretFile", "the file holding the channel database's endpoint secret"), folder);
        if (!File.Exists(secretFile)) throw Invalid(full, "$.client.secretFile", $"names {secretFile}, which does not exist");
        var connection = ResolvedConnection.Resolve(new ConnectionSettings
        {
            Provider = Text("channelProvider") ?? "sqlite", ConnectionString = Required("channelConnectionString", "the store's own channel database"),
        }, "$.client.channelConnectionString", folder);
        if (Text("channelDatabase") is { } named && !string.Equals(named, channelDatabase, StringComparison.OrdinalIgnoreCase))
            throw Invalid(full, "$.client.channelDatabase", $"is {named}, not {channelDatabase}");
        var local = Path.GetFullPath(Text("localFolder") ?? Path.Combine("client", channelDatabase), folder);
        return new RemoteReceiveRequest(server, channelDatabase, File.ReadAllText(secretFile).Trim(), connection, local)
        {
            ClientOptions = new EndpointClientOptions { CertificateThumbprint = Text("certificateThumbprint") },
        };
    }

    private static AsyncServerException Invalid(string file, string member, string what)
        => new(ErrorIds.ConfigurationInvalid, ErrorKind.InvalidArgument, $"Client settings {file}: {member} {what}.", member);
}
