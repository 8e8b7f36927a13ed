namespace OrleansKb.Tests;

/// <summary>docs/library.md shows the program the solution builds (samples/library), not a copy that drifted from it.</summary>
public sealed class LibraryDocTests
{
    [Fact]
    public void The_library_doc_shows_the_sample_program_as_it_is_built()
    {
        var repository = Path.GetFullPath(Path.Combine(TestData.PathOf("."), ".."));
        var program = File.ReadAllText(Path.Combine(repository, "samples", "library", "Program.cs")).ReplaceLineEndings("\n").TrimEnd('\n');
        var doc = File.ReadAllText(Path.Combine(repository, "docs", "library.md")).ReplaceLineEndings("\n");
        Assert.Contains("```csharp\n" + program + "\n```", doc, StringComparison.Ordinal);
    }
}
