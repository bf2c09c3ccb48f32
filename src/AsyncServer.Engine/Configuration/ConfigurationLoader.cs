using System.Text.Json;
using System.Text.Json.Serialization;
using AsyncServer.Diagnostics;

namespace AsyncServer.Configuration;

/// <summary>Reads the configuration document. Syntax and type errors name the JSON path and line.</summary>
public static class ConfigurationLoader
{
    /// <summary>The file used when no path is given: $ASYNCSERVER_CONFIGURATION, else ./asyncserver.json.</summary>
    public static string DefaultPath =>
        Environment.GetEnvironmentVariable("ASYNCSERVER_CONFIGURATION") is { Length: > 0 } fromEnv
            ? fromEnv
            : Path.Combine(Directory.GetCurrentDirectory(), "asyncserver.json");

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static AsyncServerConfiguration Load(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new AsyncServerException(ErrorIds.ConfigurationNotFound, ErrorKind.ObjectNotFound,
                $"Configuration file '{full}' does not exist.", full);
        var config = Parse(File.ReadAllText(full), full);
        config.SourcePath = full;
        config.BaseDirectory = Path.GetDirectoryName(full)!;
        return config;
    }

    public static AsyncServerConfiguration Parse(string json, string sourceName = "configuration")
    {
        try
        {
            var config = JsonSerializer.Deserialize<AsyncServerConfiguration>(json, JsonOptions)
                ?? throw new JsonException("The document is empty (null).");
            return config;
        }
        catch (JsonException ex)
        {
            var where = ex.Path ?? "$";
            var line = ex.LineNumber is { } l ? $" (line {l + 1})" : "";
            throw new AsyncServerException(ErrorIds.ConfigurationSyntax, ErrorKind.InvalidData,
                $"{sourceName}: {where}{line}: {CleanJsonMessage(ex.Message)}", where, ex);
        }
    }

    public static void Save(AsyncServerConfiguration config, string path)
        => File.WriteAllText(path, JsonSerializer.Serialize(config, JsonOptions));

    // System.Text.Json appends "Path: ... | LineNumber: ..." which we already report in our own words.
    private static string CleanJsonMessage(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
