using System.Globalization;

namespace AsyncServer.Messaging;

/// <summary>Timestamps are stored as fixed-width UTC text on SQLite so they sort and compare as text.</summary>
internal static class StoreTime
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";
    public static string ToText(DateTimeOffset value) => value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);
    public static DateTimeOffset FromText(string text) =>
        new(DateTime.SpecifyKind(DateTime.ParseExact(text, Format, CultureInfo.InvariantCulture), DateTimeKind.Utc));
}
