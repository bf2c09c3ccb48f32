using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AsyncServer.Configuration;

/// <summary>
/// Turns System.Text.Json's messages, which speak .NET ("could not be mapped to any .NET member contained in
/// type 'AsyncServer.Configuration.AsyncServerConfiguration'", "could not be converted to System.Int32"), into
/// the configuration's own terms: JSON property names, JSON paths and the kind of value expected.
/// </summary>
internal static partial class JsonMessages
{
    [GeneratedRegex(@"^The JSON property '(?<name>.*)' could not be mapped to any \.NET member contained in type '(?<type>[^']+)'\.", RegexOptions.Singleline)]
    private static partial Regex Unmapped();

    [GeneratedRegex(@"^The JSON value could not be converted to (?<type>[^ .]+(\.[^ .]+)*[^ .]*)\.", RegexOptions.Singleline)]
    private static partial Regex NotConvertible();

    /// <param name="path">The JSON path of the error; for an unknown property it becomes the object that holds it.</param>
    public static string InConfigurationTerms(string message, ref string path)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut > 0) message = message[..cut]; // "Path: ... | LineNumber: ..." is reported in our own words

        if (Unmapped().Match(message) is { Success: true } unmapped)
        {
            var name = unmapped.Groups["name"].Value;
            var suffix = "." + name;
            if (path.EndsWith(suffix, StringComparison.Ordinal)) path = path[..^suffix.Length];
            else if (path.EndsWith($"['{name}']", StringComparison.Ordinal)) path = path[..^(name.Length + 4)];
            var known = KnownProperties(unmapped.Groups["type"].Value);
            return $"unknown property '{name}' at {path}" + (known.Count > 0 ? $"; the properties allowed here are {string.Join(", ", known)}" : "");
        }
        if (NotConvertible().Match(message) is { Success: true } convert)
            return $"the value is not {Expected(convert.Groups["type"].Value)}";
        return message;
    }

    private static string Expected(string type) => type switch
    {
        "System.Int32" => "a whole number between -2147483648 and 2147483647",
        "System.Int64" => "a whole number",
        "System.Boolean" => "true or false",
        "System.String" => "a string",
        _ when type.StartsWith("System.Collections.Generic.List", StringComparison.Ordinal) => "an array",
        _ when type.StartsWith("System.Collections.Generic.Dictionary", StringComparison.Ordinal) => "an object of names and string values",
        _ => "an object",
    };

    private static List<string> KnownProperties(string typeName)
    {
        var type = typeof(AsyncServerConfiguration).Assembly.GetType(typeName);
        if (type is null) return [];
        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>() is null)
            .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name))
            .ToList();
    }
}
