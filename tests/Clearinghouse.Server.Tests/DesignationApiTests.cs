using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Clearinghouse.Tests;

namespace Clearinghouse.Server.Tests;

/// <summary>Designation lists through the API: the UN list and OFAC's addresses imported, references checked against them.</summary>
public sealed class DesignationApiTests : IAsyncLifetime
{
    private NodeHarness _node = null!;

    public async Task InitializeAsync() => _node = await NodeHarness.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private static StringContent Xml(string text) => new(text, Encoding.UTF8, new MediaTypeHeaderValue("application/xml"));

    private static StringContent XmlFile(string path) => Xml(File.ReadAllText(path));

    private Task<HttpResponseMessage> PutUn(HttpContent body, HttpClient? client = null) => (client ?? _node.OperatorClient).PutAsync("/api/v1/designations/un", body);

    [Fact]
    public async Task The_UN_list_imports_and_reads_back_and_keeps_no_name_for_an_individual()
    {
        var report = await PutUn(XmlFile(SanctionsFiles.UnList)).Expect(HttpStatusCode.OK);
        Assert.Equal(("un", 5, 5, "2026-11-20T10:00:02.487-05:00"), ((string?)report["list"], (int)report["entries"]!, (int)report["added"]!, (string?)report["generated"]));

        var lists = (await _node.ClientA.GetAsync("/api/v1/designations").Expect(HttpStatusCode.OK)).AsArray();
        Assert.Equal(("un", 5, 0), ((string?)lists.Single()!["list"], (int)lists.Single()!["listed"]!, (int)lists.Single()!["delisted"]!));

        var entity = await _node.ClientA.GetAsync("/api/v1/designations/un:QDe.115").Expect(HttpStatusCode.OK);
        Assert.Equal(("entity", "EXAMPLE FUNDRAISING FRONT", "2008-04-15", true), ((string?)entity["kind"], (string?)entity["name"], (string?)entity["listed_on"], (bool)entity["listed"]!));
        var person = (await _node.ClientA.GetAsync("/api/v1/designations/un:QDi.901").Expect(HttpStatusCode.OK)).AsObject();
        Assert.Equal("individual", (string?)person["kind"]);
        Assert.False(person.ContainsKey("name"));
        string everything = person.ToJsonString();
        foreach (string personal in new[] { "EXAMPLEFIRST", "1970", "X0000000", "Example City", "Exampleland" })
        {
            Assert.DoesNotContain(personal, everything, StringComparison.Ordinal);
        }

        await _node.ClientA.GetAsync("/api/v1/designations/un:QDe.999").ExpectProblem(HttpStatusCode.NotFound, "not on any list");

        // A second copy without QDe.163 delists it; the entry stays readable, marked delisted.
        string without = File.ReadAllText(SanctionsFiles.UnList);
        int start = without.IndexOf("<ENTITY>\n      <DATAID>110003", StringComparison.Ordinal);
        without = without.Remove(start, without.IndexOf("</ENTITY>", start, StringComparison.Ordinal) + "</ENTITY>".Length - start);
        var second = await PutUn(Xml(without)).Expect(HttpStatusCode.OK);
        Assert.Equal((4, 0, 4, 1), ((int)second["entries"]!, (int)second["added"]!, (int)second["unchanged"]!, (int)second["delisted"]!));
        Assert.False((bool)(await _node.ClientA.GetAsync("/api/v1/designations/un:QDe.163").Expect(HttpStatusCode.OK))["listed"]!);
    }

    [Fact]
    public async Task Only_the_operator_imports_and_hostile_or_broken_XML_is_422_with_nothing_written()
    {
        await PutUn(XmlFile(SanctionsFiles.UnList), _node.ClientA).ExpectProblem(HttpStatusCode.Forbidden);
        await PutUn(Xml(SanctionsFiles.ExternalEntity("CONSOLIDATED_LIST"))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "declares a DTD");
        await PutUn(Xml(SanctionsFiles.BillionLaughs("CONSOLIDATED_LIST"))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "declares a DTD");
        await PutUn(Xml(SanctionsFiles.Truncated(SanctionsFiles.UnList, 0.6))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "not well-formed XML");
        await PutUn(XmlFile(SanctionsFiles.Sdn)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "root element is <sdnList>");
        Assert.Empty((await _node.ClientA.GetAsync("/api/v1/designations").Expect(HttpStatusCode.OK)).AsArray());

        await _node.OperatorClient.CreateBank("ofac-refused", category: "terrorist-fundraising");
        await _node.OperatorClient.PostAsync("/api/v1/banks/ofac-refused/signals/import-ofac", Xml(SanctionsFiles.ExternalEntity("sdnList")))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "declares a DTD");
        await _node.OperatorClient.PostAsync("/api/v1/banks/ofac-refused/signals/import-ofac", Xml(SanctionsFiles.Truncated(SanctionsFiles.Sdn, 0.5)))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "not well-formed XML");
        await _node.OperatorClient.CreateBank("footage-not-fundraising");
        await _node.OperatorClient.PostAsync("/api/v1/banks/footage-not-fundraising/signals/import-ofac", XmlFile(SanctionsFiles.Sdn))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "OFAC addresses are imported into a 'terrorist-fundraising' bank");
        await _node.ClientA.PostAsync("/api/v1/banks/ofac-refused/signals/import-ofac", XmlFile(SanctionsFiles.Sdn)).ExpectProblem(HttpStatusCode.Forbidden);
        var signals = await _node.OperatorClient.GetAsync("/api/v1/banks/ofac-refused/signals").Expect(HttpStatusCode.OK);
        Assert.Empty(signals["items"]!.AsArray());
        Assert.Empty((await _node.ClientA.GetAsync("/api/v1/designations").Expect(HttpStatusCode.OK)).AsArray());
    }

    [Fact]
    public async Task OFAC_addresses_become_payment_signals_with_their_designation_and_invalid_ones_are_reported_not_stored()
    {
        await PutUn(XmlFile(SanctionsFiles.UnList)).Expect(HttpStatusCode.OK);
        await _node.OperatorClient.CreateBank("ofac-fundraising", category: "terrorist-fundraising");

        var report = await _node.OperatorClient.PostAsync("/api/v1/banks/ofac-fundraising/signals/import-ofac", XmlFile(SanctionsFiles.Sdn)).Expect(HttpStatusCode.OK);
        Assert.Equal(["FTO", "SDGT", "SDT"], report["programs"]!.AsArray().Select(p => (string?)p));
        Assert.Equal((5, 4, 10, 1, 7, 0, 1, 3), ((int)report["entries"]!, (int)report["selected_entries"]!, (int)report["addresses"]!, (int)report["other_program_addresses"]!,
            (int)report["added"]!, (int)report["already_present"]!, (int)report["mapped_to_un"]!, (int)report["rejected"]!));
        var rejections = report["rejections"]!.AsArray();
        Assert.Equal(["invalid_value", "invalid_value", "duplicate_in_import"], rejections.Select(r => (string?)r!["code"]));
        Assert.Contains("entry 36002: invalid ETH address '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD': ", (string?)rejections[0]!["reason"], StringComparison.Ordinal);
        Assert.Contains("EIP-55", (string?)rejections[0]!["reason"], StringComparison.Ordinal);
        Assert.Contains("checksum", (string?)rejections[1]!["reason"], StringComparison.Ordinal);
        Assert.All(rejections, r => Assert.True((int)r!["line"]! > 1));

        var stored = (await _node.OperatorClient.GetAsync("/api/v1/banks/ofac-fundraising/signals").Expect(HttpStatusCode.OK))["items"]!.AsArray()
            .ToDictionary(s => (string)s!["value"]!, s => (string?)s!["designation"]);
        var expected = new Dictionary<string, string?>
        {
            ["btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"] = "un:QDe.115",
            ["eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"] = "un:QDe.115",
            ["btc:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"] = "ofac:36002",
            ["trx:TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7"] = "ofac:36002",
            ["ltc:LTdsVS8VDw6syvfQADdhf2PHAm3rMGJvPX"] = "ofac:36002",
            ["eth:0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359"] = "ofac:36003",
            ["xmr:4AdUndXHHZ6cfufTMvppY6JwXNouMBzSkbLYfpAV5Usx3skxNgYeYTRj5UzqtReoS44qo9mtmXCqY45DJ852K5Jv2684Rge"] = "ofac:36005",
        };
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), stored.OrderBy(p => p.Key, StringComparer.Ordinal));

        // A member matching a bare address gets the bank's category and the designation.
        var match = await _node.ClientB.Match("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", type: "payment");
        var hit = match["matches"]!.AsArray().Single()!;
        Assert.Equal(("terrorist-fundraising", "un:QDe.115"), ((string?)hit["category"], (string?)hit["designation"]));
        Assert.Empty((await _node.ClientB.Match("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", type: "payment"))["matches"]!.AsArray());

        // The OFAC entries are a designation list: an individual is its uid alone.
        var person = (await _node.ClientA.GetAsync("/api/v1/designations/ofac:36003").Expect(HttpStatusCode.OK)).AsObject();
        Assert.Equal("individual", (string?)person["kind"]);
        Assert.False(person.ContainsKey("name"));
        Assert.DoesNotContain("EXAMPLELAST", person.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        await _node.ClientA.GetAsync("/api/v1/designations/ofac:36004").ExpectProblem(HttpStatusCode.NotFound);

        // Importing again adds nothing; a narrower program choice imports fewer entries.
        var again = await _node.OperatorClient.PostAsync("/api/v1/banks/ofac-fundraising/signals/import-ofac", XmlFile(SanctionsFiles.Sdn)).Expect(HttpStatusCode.OK);
        Assert.Equal((0, 7, 3), ((int)again["added"]!, (int)again["already_present"]!, (int)again["rejected"]!));
        await _node.OperatorClient.CreateBank("ofac-fto", category: "terrorist-fundraising");
        var fto = await _node.OperatorClient.PostAsync("/api/v1/banks/ofac-fto/signals/import-ofac?programs=FTO", XmlFile(SanctionsFiles.Sdn)).Expect(HttpStatusCode.OK);
        Assert.Equal((1, 3, 1), ((int)fto["selected_entries"]!, (int)fto["added"]!, (int)fto["rejected"]!));
    }

    [Fact]
    public async Task Once_a_list_is_imported_a_signal_must_name_an_entry_on_it()
    {
        await _node.ClientA.CreateBank("designated-a", category: "designated-entity");
        // Before any list is imported, a well-formed reference is accepted as it is.
        await _node.ClientA.AddSignal("designated-a", Http.RandomPdq(), designation: "un:QDe.999");

        await PutUn(XmlFile(SanctionsFiles.UnList)).Expect(HttpStatusCode.OK);
        await _node.ClientA.AddSignal("designated-a", Http.RandomPdq(), designation: "un:QDe.004");
        await _node.ClientA.AddSignal("designated-a", Http.RandomPdq(), designation: "UN:QDe.004");
        var body = new Dictionary<string, object?> { ["signal_type"] = "pdq", ["value"] = Http.RandomPdq(), ["designation"] = "un:QDe.999" };
        await _node.ClientA.PostJson("/api/v1/banks/designated-a/signals", body).ExpectProblem(HttpStatusCode.UnprocessableEntity, "designation 'un:QDe.999' is not on the un list");
        // Lists the node has not imported are checked for shape only.
        await _node.ClientA.AddSignal("designated-a", Http.RandomPdq(), designation: "eu:EU.123.45");

        // The bulk import reports the line; the HMA route refuses the item.
        string lines = $"pdq {Http.RandomPdq()}\npdq {Http.RandomPdq()}\n";
        var refused = await _node.ClientA.PostAsync("/api/v1/banks/designated-a/signals/import?designation=un:QDe.998", new StringContent(lines, Encoding.UTF8, "text/plain"))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity);
        var report = refused["report"]!;
        Assert.Equal(["unknown_designation", "unknown_designation"], report["rejections"]!.AsArray().Select(r => (string?)r!["code"]));
        await _node.ClientA.PostJson("/c/bank/designated-a/signal?designation=un:QDe.997", new Dictionary<string, string> { ["pdq"] = Http.RandomPdq() })
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "is not on the un list");

        // A delisted entry is refused with the reason.
        string without = File.ReadAllText(SanctionsFiles.UnList).Replace("<REFERENCE_NUMBER>QDe.163</REFERENCE_NUMBER>", "<REFERENCE_NUMBER>QDe.164</REFERENCE_NUMBER>", StringComparison.Ordinal);
        await PutUn(Xml(without)).Expect(HttpStatusCode.OK);
        body["designation"] = "un:QDe.163";
        await _node.ClientA.PostJson("/api/v1/banks/designated-a/signals", body).ExpectProblem(HttpStatusCode.UnprocessableEntity, "was removed from the un list");
    }
}
