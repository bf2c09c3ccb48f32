using System.Globalization;

namespace AsyncServer.Data;

/// <summary>
/// The exact, culture-independent text form of every logical type. Packages and filter parameters use it,
/// so a value survives the round trip unchanged: decimals keep their scale, dates their ticks, doubles
/// every bit.
/// </summary>
public static class ValueText
{
    public static string Format(object value, LogicalType type) => type switch
    {
        LogicalType.Decimal => Convert.ToDecimal(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        LogicalType.Double => Convert.ToDouble(value, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture),
        LogicalType.DateTime => ((DateTime)value).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture),
        LogicalType.Date => ((DateTime)value).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        LogicalType.Time => ((TimeSpan)value).ToString("c", CultureInfo.InvariantCulture),
        LogicalType.DateTimeOffset => ((DateTimeOffset)value).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture),
        LogicalType.Guid => ((Guid)value).ToString("D"),
        LogicalType.Binary => Convert.ToBase64String((byte[])value),
        LogicalType.Boolean => (bool)value ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    public static object Parse(string text, LogicalType type) => type switch
    {
        LogicalType.String => text,
        LogicalType.Int16 => short.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture),
        LogicalType.Int32 => int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture),
        LogicalType.Int64 => long.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture),
        LogicalType.Decimal => decimal.Parse(text, NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture),
        LogicalType.Double => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        LogicalType.Boolean => text == "1" || (text != "0" && bool.Parse(text)),
        LogicalType.DateTime => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
        LogicalType.Date => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind).Date,
        LogicalType.Time => TimeSpan.Parse(text, CultureInfo.InvariantCulture),
        LogicalType.DateTimeOffset => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
        LogicalType.Guid => Guid.Parse(text),
        LogicalType.Binary => Convert.FromBase64String(text),
        _ => text,
    };
}
