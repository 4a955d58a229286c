using System.Text;
using Clearinghouse.Server.Designations;
using Clearinghouse.Storage;
using Clearinghouse.Tests;

namespace Clearinghouse.Server.Tests;

/// <summary>The UN and OFAC list readers: the published formats, and hostile or broken files refused cleanly.</summary>
public sealed class SanctionsListTests
{
    private static MemoryStream Text(string text) => new MemoryStream(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void The_UN_list_gives_each_entry_reference_kind_and_date_and_only_entities_their_names()
    {
        using var file = File.OpenRead(SanctionsFiles.UnList);
        UnListFile list = UnConsolidatedList.Read(file);

        Assert.Equal("2026-11-20T10:00:02.487-05:00", list.Generated);
        NewDesignation[] expected =
        [
            new("QDi.901", DesignationKind.Individual, new DateOnly(2003, 9, 9), null),
            new("QDi.902", DesignationKind.Individual, new DateOnly(2015, 9, 23), null),
            new("QDe.004", DesignationKind.Entity, new DateOnly(2001, 10, 6), "EXAMPLE ORGANISATION ONE"),
            new("QDe.115", DesignationKind.Entity, new DateOnly(2008, 4, 15), "EXAMPLE FUNDRAISING FRONT"),
            new("QDe.163", DesignationKind.Entity, new DateOnly(2017, 8, 10), "EXAMPLE MEDIA WING"),
        ];
        Assert.Equal(expected, list.Entries);
    }

    [Fact]
    public void The_SDN_list_gives_programs_addresses_and_UN_references_and_never_an_individuals_name()
    {
        using var file = File.OpenRead(SanctionsFiles.Sdn);
        OfacSdnFile list = OfacSdnList.Read(file);

        Assert.Equal("11/20/2026", list.Published);
        Assert.Equal(["36001", "36002", "36003", "36004", "36005"], list.Entries.Select(e => e.Uid));
        OfacEntry front = list.Entries[0];
        Assert.Equal(("EXAMPLE FUNDRAISING FRONT", "QDe.115", false), (front.Name, front.UnReference, front.Individual));
        Assert.Equal(["SDGT"], front.Programs);
        Assert.Equal([("XBT", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"), ("ETH", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")], front.Addresses.Select(a => (a.Currency, a.Address)));
        Assert.True(front.Addresses[0].Line > front.Line);
        Assert.Equal(["SDGT", "FTO"], list.Entries[1].Programs);
        Assert.Null(list.Entries[1].UnReference);
        OfacEntry person = list.Entries[2];
        Assert.True(person.Individual);
        Assert.Null(person.Name);
        Assert.Equal(2, person.Addresses.Count); // the passport is not an address
        Assert.Equal(["CYBER2"], list.Entries[3].Programs);
    }

    [Theory]
    [InlineData("CONSOLIDATED_LIST")]
    [InlineData("sdnList")]
    public void A_DTD_external_entity_or_entity_expansion_is_refused_as_a_DTD(string root)
    {
        foreach (string hostile in new[] { SanctionsFiles.ExternalEntity(root), SanctionsFiles.BillionLaughs(root) })
        {
            var e = Assert.Throws<SanctionsFileException>(() => ReadEither(root, Text(hostile)));
            Assert.Contains("declares a DTD", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_truncated_list_is_refused_as_not_well_formed()
    {
        foreach (double fraction in new[] { 0.1, 0.5, 0.97 })
        {
            var un = Assert.Throws<SanctionsFileException>(() => UnConsolidatedList.Read(Text(SanctionsFiles.Truncated(SanctionsFiles.UnList, fraction))));
            Assert.Contains("not well-formed XML", un.Message, StringComparison.Ordinal);
            var sdn = Assert.Throws<SanctionsFileException>(() => OfacSdnList.Read(Text(SanctionsFiles.Truncated(SanctionsFiles.Sdn, fraction))));
            Assert.Contains("not well-formed XML", sdn.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_file_over_the_size_limit_is_refused_and_an_endless_one_stops_at_the_limit_with_bounded_memory()
    {
        using (var file = File.OpenRead(SanctionsFiles.UnList))
        {
            var e = Assert.Throws<SanctionsFileException>(() => UnConsolidatedList.Read(file, maxCharacters: 1000));
            Assert.Contains("larger than the limit of 1,000 characters", e.Message, StringComparison.Ordinal);
        }

        // An endless entry (fields skipped for ever), then an endless reference number: both end at the 8 Mi-character limit.
        foreach ((string prefix, string unit) in new[] { ("<ENTITY><REFERENCE_NUMBER>QDe.0</REFERENCE_NUMBER>", "<COMMENTS1>xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx</COMMENTS1>"), ("<ENTITY><REFERENCE_NUMBER>", "x") })
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var endless = new EndlessStream("<CONSOLIDATED_LIST><ENTITIES>" + prefix, unit);
            var e = Assert.Throws<SanctionsFileException>(() => UnConsolidatedList.Read(endless, maxCharacters: 8 << 20));
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Contains("larger than the limit of 8,388,608 characters", e.Message, StringComparison.Ordinal);
            Assert.True(endless.Produced < 64L << 20, $"read {endless.Produced} bytes");
            Assert.True(allocated < 512L << 20, $"allocated {allocated} bytes");
        }
    }

    [Fact]
    public void The_wrong_list_an_empty_one_and_SDN_ADVANCED_are_refused_with_the_reason()
    {
        using (var sdn = File.OpenRead(SanctionsFiles.Sdn))
        {
            var e = Assert.Throws<SanctionsFileException>(() => UnConsolidatedList.Read(sdn));
            Assert.Contains("the root element is <sdnList>: expected the root element <CONSOLIDATED_LIST>", e.Message, StringComparison.Ordinal);
        }

        var advanced = Assert.Throws<SanctionsFileException>(() => OfacSdnList.Read(Text("<?xml version=\"1.0\"?><Sanctions xmlns=\"http://www.un.org/sanctions/1.0\"><DateOfIssue/></Sanctions>")));
        Assert.Contains("SDN_ADVANCED", advanced.Message, StringComparison.Ordinal);
        Assert.Contains("no INDIVIDUAL or ENTITY", Assert.Throws<SanctionsFileException>(() => UnConsolidatedList.Read(Text("<CONSOLIDATED_LIST><INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>"))).Message, StringComparison.Ordinal);
        Assert.Contains("no sdnEntry", Assert.Throws<SanctionsFileException>(() => OfacSdnList.Read(Text("<sdnList/>"))).Message, StringComparison.Ordinal);
        Assert.Contains("not well-formed XML (truncated or damaged?): Root element is missing", Assert.Throws<SanctionsFileException>(() => OfacSdnList.Read(Text(""))).Message, StringComparison.Ordinal);
        Assert.Contains("not well-formed", Assert.Throws<SanctionsFileException>(() => OfacSdnList.Read(Text("\u0000\u0001binary"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Entries_without_a_reference_with_a_repeated_one_or_with_absurd_fields_are_refused_with_their_line()
    {
        static string Un(string entities) => $"<CONSOLIDATED_LIST>\n<ENTITIES>\n{entities}</ENTITIES></CONSOLIDATED_LIST>";
        Assert.Contains("line 3: the ENTITY has no REFERENCE_NUMBER", Refused(Un("<ENTITY><FIRST_NAME>X</FIRST_NAME></ENTITY>\n")), StringComparison.Ordinal);
        Assert.Contains("line 4: reference number QDe.1 is also on line 3", Refused(Un("<ENTITY><REFERENCE_NUMBER>QDe.1</REFERENCE_NUMBER></ENTITY>\n<ENTITY><REFERENCE_NUMBER>QDe.1</REFERENCE_NUMBER></ENTITY>\n")), StringComparison.Ordinal);
        Assert.Contains("is not a reference", Refused(Un("<ENTITY><REFERENCE_NUMBER>QDe 1</REFERENCE_NUMBER></ENTITY>\n")), StringComparison.Ordinal);
        Assert.Contains("LISTED_ON 'yesterday' is not a date", Refused(Un("<ENTITY><REFERENCE_NUMBER>QDe.1</REFERENCE_NUMBER><LISTED_ON>yesterday</LISTED_ON></ENTITY>\n")), StringComparison.Ordinal);
        Assert.Contains("<FIRST_NAME> holds 5000 characters", Refused(Un($"<ENTITY><REFERENCE_NUMBER>QDe.1</REFERENCE_NUMBER><FIRST_NAME>{new string('A', 5000)}</FIRST_NAME></ENTITY>\n")), StringComparison.Ordinal);
        Assert.Contains("no uid", Assert.Throws<SanctionsFileException>(() => OfacSdnList.Read(Text("<sdnList><sdnEntry><lastName>X</lastName></sdnEntry></sdnList>"))).Message, StringComparison.Ordinal);
        Assert.Contains("uid 7 appears twice", Assert.Throws<SanctionsFileException>(() => OfacSdnList.Read(Text("<sdnList><sdnEntry><uid>7</uid></sdnEntry><sdnEntry><uid>7</uid></sdnEntry></sdnList>"))).Message, StringComparison.Ordinal);

        static string Refused(string xml) => Assert.Throws<SanctionsFileException>(() => UnConsolidatedList.Read(Text(xml))).Message;
    }

    private static object ReadEither(string root, Stream stream) =>
        root == "sdnList" ? OfacSdnList.Read(stream) : UnConsolidatedList.Read(stream);

    /// <summary>A prefix, then <c>unit</c> repeated for ever: a file that never ends.</summary>
    private sealed class EndlessStream(string prefix, string unit) : Stream
    {
        private readonly byte[] _prefix = Encoding.UTF8.GetBytes(prefix);
        private readonly byte[] _unit = Encoding.UTF8.GetBytes(unit);

        public long Produced { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Produced; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            for (int i = 0; i < count; i++)
            {
                long at = Produced + i;
                buffer[offset + i] = at < _prefix.Length ? _prefix[at] : _unit[(at - _prefix.Length) % _unit.Length];
            }

            Produced += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
