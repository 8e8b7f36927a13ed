namespace OrleansKb.Client;

/// <summary>What a space may be called: 1 to <see cref="MaxLength"/> characters, not all white space, no control characters.</summary>
public static class SpaceNames
{
    /// <summary>The longest space name, in characters.</summary>
    public const int MaxLength = 200;

    /// <summary>What is wrong with <paramref name="name"/> as a space name, or null.</summary>
    public static string? Problem(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (string.IsNullOrWhiteSpace(name))
        {
            return "a space name must not be empty or only white space";
        }

        if (name.Length > MaxLength)
        {
            return $"a space name has at most {MaxLength} characters, not {name.Length:N0}";
        }

        if (name.Any(char.IsControl))
        {
            return "a space name must not contain control characters";
        }

        return IsValidUnicode(name) ? null : "a space name must be valid Unicode (it holds a lone surrogate)";
    }

    private static bool IsValidUnicode(string text)
    {
        for (var i = 0; i < text.Length; i += char.IsSurrogatePair(text, i) ? 2 : 1)
        {
            if (char.IsSurrogate(text[i]) && !char.IsSurrogatePair(text, i))
            {
                return false;
            }
        }

        return true;
    }
}
