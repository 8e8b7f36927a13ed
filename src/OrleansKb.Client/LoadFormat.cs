namespace OrleansKb.Client;

/// <summary>What a load reads: MeTTa text, or MORK's serialised space.</summary>
public enum LoadFormat
{
    /// <summary><c>.metta</c> text: top-level atoms; <c>(= lhs rhs)</c> is stored as a fact like any other.</summary>
    Metta,

    /// <summary>MORK's <c>.paths</c> data: a zlib stream of length-prefixed encoded atoms (docs/encoding.md).</summary>
    Paths,
}
