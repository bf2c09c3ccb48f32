using System.Globalization;
using AsyncServer.Packaging;

namespace AsyncServer.Tests.Packaging;

/// <summary>The fast timestamp parser of the package writer must read exactly what DateTime.Parse reads, or decline.</summary>
public sealed class TimestampTextTests
{
    [Theory]
    [InlineData("2020-01-01 00:00:01")]
    [InlineData("2024-02-29 23:59:59.9999999")]
    [InlineData("1999-12-31T12:34:56.5")]
    [InlineData("0001-01-01 00:00:00")]
    [InlineData("9999-12-31 23:59:59.1234567")]
    [InlineData("2025-06-15 08:05:03.000100")]
    public void Parses_the_text_forms_exactly_as_DateTime_Parse(string text)
    {
        Assert.True(RowCodec.TryParseIsoText(text, out var fast));
        var expected = DateTime.Parse(text, CultureInfo.InvariantCulture);
        Assert.Equal(expected.Ticks, fast.Ticks);
        Assert.Equal(expected.Kind, fast.Kind);
    }

    [Theory]
    [InlineData("2020-01-01")]
    [InlineData("2020-01-01 00:00:01Z")]
    [InlineData("2020-01-01 00:00:01+02:00")]
    [InlineData("2020-13-01 00:00:01")]
    [InlineData("2023-02-29 00:00:01")]
    [InlineData("2020-01-01 24:00:00")]
    [InlineData("2020-01-01 00:00:01.")]
    [InlineData("2020-01-01 00:00:01.12345678")]
    [InlineData("2020/01/01 00:00:01")]
    public void Declines_anything_else(string text) => Assert.False(RowCodec.TryParseIsoText(text, out _));
}
