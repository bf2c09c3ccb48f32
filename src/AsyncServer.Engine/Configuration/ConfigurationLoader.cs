using System.Text.Json;
using System.Text.Json.Serialization;
using AsyncServer.Diagnostics;

namespace AsyncServer.Configuration;

/// <summary>Where the path of the configuration file came from.</summary>
public enum ConfigurationOrigin { CurrentFolder, EnvironmentVariable, Parameter, ServiceOption }

/// <summary>Reads the configuration document. Syntax and type errors name the JSON path and line.</summary>
public static class ConfigurationLoader
{
    /// <summary>The file used when no path is given: $ASYNCSERVER_CONFIGURATION, else ./asyncserver.json.</summary>
    public static string DefaultPath =>
        Environment.GetEnvironmentVariable("ASYNCSERVER_CONFIGURATION") is { Length: > 0 } fromEnv
            ? fromEnv
            : Path.Combine(Directory.GetCurrentDirectory(), "asyncserver.json");

    /// <summary>Where <see cref="DefaultPath"/> comes from right now.</summary>
    public static ConfigurationOrigin DefaultOrigin =>
        Environment.GetEnvironmentVariable("ASYNCSERVER_CONFIGURATION") is { Length: > 0 }
            ? ConfigurationOrigin.EnvironmentVariable
            : ConfigurationOrigin.CurrentFolder;

    /// <summary>Says where the path came from and every way to give another (issue 12, point 18).</summary>
    public static string NotFoundMessage(string fullPath, ConfigurationOrigin origin)
    {
        var from = origin switch
        {
            ConfigurationOrigin.Parameter => "given by -ConfigurationPath",
            ConfigurationOrigin.EnvironmentVariable => "taken from $env:ASYNCSERVER_CONFIGURATION, because no -ConfigurationPath was given",
            ConfigurationOrigin.ServiceOption => "given by the service's --configuration-path option",
            _ => "the default asyncserver.json in the current folder, because neither -ConfigurationPath nor $env:ASYNCSERVER_CONFIGURATION was given",
        };
        return $"Configuration file '{fullPath}' does not exist (the path was {from}). " +
               "Name another file with -ConfigurationPath, set $env:ASYNCSERVER_CONFIGURATION to its path, " +
               "or run the command in the folder that holds asyncserver.json.";
    }

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

    /// <param name="origin">
    /// Where the path came from, for the error when the file is missing; by default the same rule as
    /// <see cref="DefaultPath"/> decides (the environment variable when set, else the current folder).
    /// </param>
    public static AsyncServerConfiguration Load(string path, ConfigurationOrigin? origin = null)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new AsyncServerException(ErrorIds.ConfigurationNotFound, ErrorKind.ObjectNotFound,
                NotFoundMessage(full, origin ?? DefaultOrigin), full);
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
            var message = JsonMessages.InConfigurationTerms(ex.Message, ref where);
            throw new AsyncServerException(ErrorIds.ConfigurationSyntax, ErrorKind.InvalidData,
                $"{sourceName}: {where}{line}: {message}", where, ex);
        }
    }

    public static void Save(AsyncServerConfiguration config, string path)
        => File.WriteAllText(path, JsonSerializer.Serialize(config, JsonOptions));

}
