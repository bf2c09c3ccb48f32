using System.Globalization;

namespace AsyncServer.Configuration;

/// <summary>
/// What a configuration id or name may hold. Names reach unit files, task XML, PowerShell command lines, log
/// lines and messages; a line break or other control character in one can write a new setting or line there
/// (issue 12). They are refused everywhere, so no writer has to guess at escaping them.
/// </summary>
public static class NameRules
{
    /// <summary>Control characters (C0, DEL, C1) and the Unicode line and paragraph separators.</summary>
    public static bool IsForbidden(char c) => char.IsControl(c)
        || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    /// <summary>The index of the first forbidden character, or null when there is none.</summary>
    public static int? FirstControlCharacter(string? value)
    {
        if (value is null) return null;
        for (var i = 0; i < value.Length; i++)
            if (IsForbidden(value[i])) return i;
        return null;
    }

    /// <summary>The problem with a name, or null when it is acceptable.</summary>
    public static string? Problem(string? value) => FirstControlCharacter(value) is { } at
        ? $"holds the control character U+{(int)value![at]:X4} at position {at + 1}; ids and names must be printable text"
        : null;
}
