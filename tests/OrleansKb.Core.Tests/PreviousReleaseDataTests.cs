using OrleansKb.Persistence;
using OrleansKb.Spaces;

namespace OrleansKb.Tests;

/// <summary>A data directory written by the previous release (tests/data/README.md) opens unchanged.</summary>
public sealed class PreviousReleaseDataTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("orleanskb-previous-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_data_directory_written_by_the_previous_release_opens_with_every_atom_and_rule()
    {
        // A copy: opening takes the directory's lock and may write (a new log segment).
        var data = TestData.PathOf("../tests/data/previous-release");
        foreach (var file in Directory.GetFiles(data, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(_directory, Path.GetRelativePath(data, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        using var store = new FileSpaceStore(_directory);
        await using var genealogy = await DurableSpace.OpenAsync("genealogy", store, 1L << 30, new RecordingObserver());
        var exported = File.ReadAllLines(TestData.PathOf("../tests/data/previous-release.export.metta"));
        Assert.Equal(exported.Order(StringComparer.Ordinal), genealogy.Atoms.Dump().Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        Assert.Equal(1, genealogy.Atoms.RuleCount);
        Assert.Single(genealogy.Atoms.MatchingRules("grandparent", 2));
        Assert.Contains("(parent Ann Zoe)", exported);
        Assert.DoesNotContain("(female Zoe)", exported);

        await using var other = await DurableSpace.OpenAsync("other/space", store, 1L << 30, new RecordingObserver());
        Assert.Equal("(a b)\n", other.Atoms.Dump());
    }
}
