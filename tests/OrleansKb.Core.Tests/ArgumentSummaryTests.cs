using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Spaces;
using OrleansKb.Text;
using OrleansKb.Workloads;

namespace OrleansKb.Tests;

/// <summary>
/// What partitions hold at their later arguments (docs/cluster.md, "Lookups by a later argument"):
/// a partition's summary, and partition 0's directory of them, never leave out a partition that
/// holds what a pattern matches.
/// </summary>
public sealed class ArgumentSummaryTests
{
    private static byte[] Encoded(string text) => AtomEncoder.Encode(MettaReader.Parse(text)[0]);

    private static ulong ItemOf(string pattern)
    {
        Assert.True(ArgumentSummary.ItemOf(Encoded(pattern), out var item));
        return item;
    }

    [Fact]
    public void A_summary_holds_the_later_arguments_of_its_ground_atoms_and_few_others_look_held()
    {
        var facts = Royal92ShapedFacts.Generate(20_000).Select(AtomEncoder.Encode).ToList();
        var summary = new ArgumentSummary(ArgumentSummary.Log2BitsFor(facts.Count));
        facts.ForEach(fact => summary.Add(fact));

        foreach (var fact in Royal92ShapedFacts.Generate(20_000).Cast<ExpressionAtom>())
        {
            Assert.True(summary.MayHold(ItemOf($"(Individuals $n {MettaPrinter.Print(fact[2])})")), MettaPrinter.Print(fact));
        }

        var absent = Enumerable.Range(0, 10_000).Count(i => summary.MayHold(ItemOf($"(Individuals $n (Id \"@absent{i}@\"))")));
        Assert.InRange(absent, 0, 300);

        // The item is of the head, the arity and the position too.
        Assert.True(summary.MayHold(ItemOf("(Individuals $n (Sex \"F\"))")));
        Assert.False(summary.MayHold(ItemOf("(Individual $n (Sex \"F\"))")));
        Assert.False(summary.MayHold(ItemOf("(Individuals $n (Sex \"F\") $more)")));
        Assert.False(summary.MayHold(ItemOf("(Individuals $n $m (Sex \"F\"))")));
    }

    [Fact]
    public void A_pattern_is_looked_up_by_its_first_ground_argument_after_the_first_and_only_with_a_ground_head()
    {
        var summary = new ArgumentSummary(ArgumentSummary.MinLog2Bits);
        summary.Add(Encoded("(edge a b (w 3) c)"));

        Assert.True(summary.MayHold(ItemOf("(edge $x b $w $c)")));
        Assert.True(summary.MayHold(ItemOf("(edge $x $y (w 3) $c)")));
        Assert.True(summary.MayHold(ItemOf("(edge a $y $w c)")));
        Assert.False(summary.MayHold(ItemOf("(edge $x $y (w 4) c)")));
        Assert.False(ArgumentSummary.ItemOf(Encoded("(edge $x $y $w $c)"), out _));
        Assert.False(ArgumentSummary.ItemOf(Encoded("($h $x b)"), out _));
        Assert.False(ArgumentSummary.ItemOf(Encoded("(female $x)"), out _));
        Assert.False(ArgumentSummary.ItemOf(Encoded("edge"), out _));
    }

    [Fact]
    public void An_atom_with_a_variable_adds_nothing_and_a_summary_is_told_whole_then_by_its_fresh_bits()
    {
        var summary = new ArgumentSummary(ArgumentSummary.MinLog2Bits);
        summary.Add(Encoded("(parent $p \"@I1972@\")"));
        Assert.False(summary.MayHold(ItemOf("(parent $p \"@I1972@\")")));

        Assert.True(summary.HasFresh);
        Assert.Null(summary.TakeFresh());
        Assert.False(summary.HasFresh);
        summary.Add(Encoded("(parent a b)"));
        var fresh = summary.TakeFresh();
        Assert.Equal(2, fresh!.Length);
        summary.Add(Encoded("(parent c b)"));
        Assert.False(summary.HasFresh);

        var copy = new ArgumentSummary(summary.Log2Bits, summary.Words);
        Assert.True(copy.MayHold(ItemOf("(parent $x b)")));
        summary.Untold();
        Assert.Null(summary.TakeFresh());
    }

    [Fact]
    public void A_crowded_summary_is_sized_anew_from_its_atoms()
    {
        var space = new AtomSpace();
        space.AddFacts(Enumerable.Range(0, 20_000).Select(i => MettaReader.Parse($"(edge n{i} n{i + 1})")[0]));
        var small = new ArgumentSummary(ArgumentSummary.MinLog2Bits);
        foreach (var atom in space.Export())
        {
            small.Add(AtomEncoder.Encode(atom));
        }

        Assert.True(small.IsCrowded);
        var resized = space.SummarizeArguments(small.Log2Bits + 1);
        Assert.False(resized.IsCrowded);
        Assert.True(resized.Log2Bits > small.Log2Bits);
        Assert.True(resized.MayHold(ItemOf("(edge $x n777)")));
    }

    [Fact]
    public void The_memory_a_write_may_take_counts_a_summary_it_would_size_anew_here_and_in_partition_zero()
    {
        var summary = new ArgumentSummary(ArgumentSummary.MinLog2Bits);
        Assert.Equal(0, summary.GrowthIfAdding(items: 1_000, atoms: 1_000));

        // A quarter of 2^16 bits is 16,384: 8,192 items may set that many, at two bits each.
        var next = 2 * ((1L << Math.Max(ArgumentSummary.MinLog2Bits + 1, ArgumentSummary.Log2BitsFor(9_000))) / 8);
        Assert.Equal(next, summary.GrowthIfAdding(items: 8_200, atoms: 800));
        Assert.Equal(2 * ((1L << ArgumentSummary.Log2BitsFor(1_008_200)) / 8), summary.GrowthIfAdding(items: 8_200, atoms: 1_000_000));
    }

    [Fact]
    public void The_directory_leaves_out_only_a_known_partition_without_the_item_or_variables()
    {
        var directory = new ArgumentDirectory();
        var item = ItemOf("(parent $p b)");
        Assert.True(directory.MayHold(1, item));

        var partition = new ArgumentSummary(ArgumentSummary.MinLog2Bits);
        Assert.Null(partition.TakeFresh());
        directory.Replace(1, new ArgumentSummary(partition.Log2Bits, partition.Words), holdsVariables: false);
        Assert.False(directory.MayHold(1, item));

        partition.Add(Encoded("(parent a b)"));
        directory.Merge(1, partition.Log2Bits, holdsVariables: false, partition.TakeFresh()!);
        Assert.True(directory.MayHold(1, item));

        // Bits of a summary of another size: unknown until told or fetched whole.
        directory.Replace(2, new ArgumentSummary(ArgumentSummary.MinLog2Bits), holdsVariables: false);
        directory.Merge(2, ArgumentSummary.MinLog2Bits + 1, holdsVariables: false, [1, 2]);
        Assert.True(directory.MayHold(2, item));

        // A partition holding variables is always asked.
        directory.Replace(3, new ArgumentSummary(ArgumentSummary.MinLog2Bits), holdsVariables: true);
        Assert.True(directory.MayHold(3, item));

        // A partition a new map no longer has is forgotten: unknown, were it asked.
        directory.Replace(4, new ArgumentSummary(ArgumentSummary.MinLog2Bits), holdsVariables: false);
        Assert.False(directory.MayHold(4, item));
        directory.KeepOnly([1]);
        Assert.True(directory.MayHold(4, item));
        Assert.True(directory.MayHold(1, item));
    }

    [Fact]
    public void Bits_told_while_a_summary_is_fetched_are_kept_and_bits_of_an_unknown_partition_wait_for_the_fetch()
    {
        var directory = new ArgumentDirectory();
        var item = ItemOf("(parent $p b)");
        var partition = new ArgumentSummary(ArgumentSummary.MinLog2Bits);
        Assert.Null(partition.TakeFresh());

        // Unknown: told bits are not kept (the fetched summary holds them), and it may hold anything.
        partition.Add(Encoded("(parent x y)"));
        directory.Merge(1, partition.Log2Bits, false, partition.TakeFresh()!);
        Assert.True(directory.MayHold(1, item));

        Assert.True(directory.BeginFetch(1));
        Assert.False(directory.BeginFetch(1));
        var fetched = new ArgumentSummary(partition.Log2Bits, partition.Words);
        partition.Add(Encoded("(parent a b)"));
        directory.Merge(1, partition.Log2Bits, false, partition.TakeFresh()!);
        Assert.True(directory.MayHold(1, item));
        directory.EndFetch(1, fetched, holdsVariables: false);
        Assert.True(directory.MayHold(1, item));
        Assert.False(directory.MayHold(1, ItemOf("(parent $p c)")));

        // A failed fetch leaves the partition unknown: asked, and fetched again next time.
        Assert.True(directory.BeginFetch(2));
        directory.EndFetch(2, null, holdsVariables: false);
        Assert.True(directory.MayHold(2, item));
        Assert.True(directory.BeginFetch(2));
    }
}
