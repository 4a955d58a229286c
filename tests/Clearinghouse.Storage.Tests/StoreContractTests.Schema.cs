using Clearinghouse.Storage.Sql;

namespace Clearinghouse.Storage.Tests;

public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Migrating_twice_keeps_the_latest_version_and_the_data()
    {
        IClearinghouseStore store = Open(await NewDatabaseAsync());
        Assert.Equal(0, await store.GetSchemaVersionAsync());

        await store.MigrateAsync();
        Assert.Equal(Migrations.Latest, await store.GetSchemaVersionAsync());
        Member member = await store.CreateMemberAsync("first");

        await store.MigrateAsync();
        Assert.Equal(Migrations.Latest, await store.GetSchemaVersionAsync());
        Assert.Equal(member, await store.GetMemberAsync(member.Id));
    }

    [Fact]
    public async Task Two_stores_migrating_one_database_at_once_both_succeed()
    {
        TestDatabase database = await NewDatabaseAsync();
        IClearinghouseStore[] stores = [Open(database), Open(database), Open(database)];

        await Task.WhenAll(stores.Select(s => Task.Run(() => s.MigrateAsync())));

        foreach (IClearinghouseStore store in stores)
        {
            Assert.Equal(Migrations.Latest, await store.GetSchemaVersionAsync());
        }

        await stores[0].CreateMemberAsync("after-migration");
        Assert.Single(await stores[2].ListMembersAsync());
    }

    // --- taxonomy ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task Taxonomy_is_absent_until_applied_and_then_read_back_as_applied()
    {
        IClearinghouseStore store = Open(await NewDatabaseAsync());
        await store.MigrateAsync();
        Assert.Null(await store.GetTaxonomyAsync());
        Member owner = await store.CreateMemberAsync("owner");
        StoreException e = await Refused(StoreError.UnknownCategory, () => store.CreateBankAsync(new NewBank("B", NoDesignationCategory, owner.Id)));
        Assert.Contains("no taxonomy", e.Message, StringComparison.Ordinal);

        Taxonomy applied = TaxonomyFile.LoadDefault();
        await store.ApplyTaxonomyAsync(applied);

        Taxonomy read = (await store.GetTaxonomyAsync())!;
        Assert.Equal(applied.Version, read.Version);
        Assert.Equal(applied.Categories, read.Categories);
    }

    [Fact]
    public async Task Applying_the_current_taxonomy_again_changes_nothing()
    {
        long before = await Store.GetChangePositionAsync();
        await Store.ApplyTaxonomyAsync(TaxonomyFile.LoadDefault());
        Taxonomy read = (await Store.GetTaxonomyAsync())!;
        Assert.Equal(TaxonomyFile.LoadDefault().Categories, read.Categories);
        Assert.Equal(before, await Store.GetChangePositionAsync());
    }

    [Fact]
    public async Task An_older_taxonomy_or_the_same_version_with_other_content_is_refused()
    {
        Taxonomy current = TaxonomyFile.LoadDefault();
        Taxonomy v2 = new(2, [.. current.Categories, new Category("violent-propaganda-test", "Test", "A category for this test.", false)]);
        await Store.ApplyTaxonomyAsync(v2);

        StoreException older = await Refused(StoreError.Conflict, () => Store.ApplyTaxonomyAsync(current));
        Assert.Contains("older", older.Message, StringComparison.Ordinal);

        Taxonomy v2Changed = new(2, [.. current.Categories]);
        await Refused(StoreError.Conflict, () => Store.ApplyTaxonomyAsync(v2Changed));

        Taxonomy read = (await Store.GetTaxonomyAsync())!;
        Assert.Equal(2, read.Version);
        Assert.Equal(v2.Categories, read.Categories);
    }

    [Fact]
    public async Task A_newer_taxonomy_may_drop_an_unused_category_but_not_one_a_live_bank_uses()
    {
        Member owner = await MemberAsync();
        Taxonomy current = TaxonomyFile.LoadDefault();
        await BankAsync(owner, category: "attacker-manifesto");
        Bank deleted = await BankAsync(owner, category: "attack-footage");
        await Store.DeleteBankAsync(deleted.Id);

        Taxonomy withoutManifesto = new(2, [.. current.Categories.Where(c => c.Id != "attacker-manifesto")]);
        StoreException e = await Refused(StoreError.Conflict, () => Store.ApplyTaxonomyAsync(withoutManifesto));
        Assert.Contains("attacker-manifesto", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await Store.GetTaxonomyAsync())!.Version);

        // Only a deleted bank uses attack-footage: dropping it is fine, and new banks can no longer use it.
        Taxonomy withoutFootage = new(2, [.. current.Categories.Where(c => c.Id != "attack-footage")]);
        await Store.ApplyTaxonomyAsync(withoutFootage);
        Assert.Equal(withoutFootage.Categories, (await Store.GetTaxonomyAsync())!.Categories);
        await Refused(StoreError.UnknownCategory, () => BankAsync(owner, category: "attack-footage"));
    }

    [Fact]
    public async Task A_malformed_taxonomy_is_refused_as_invalid()
    {
        Category ok = new("attack-footage", "Attack footage", "Footage.", false);
        await Refused(StoreError.Invalid, () => Store.ApplyTaxonomyAsync(new Taxonomy(0, [ok])));
        await Refused(StoreError.Invalid, () => Store.ApplyTaxonomyAsync(new Taxonomy(3, [])));
        await Refused(StoreError.Invalid, () => Store.ApplyTaxonomyAsync(new Taxonomy(3, [ok, ok])));
        await Refused(StoreError.Invalid, () => Store.ApplyTaxonomyAsync(new Taxonomy(3, [ok with { Id = "Attack Footage" }])));
        Assert.Equal(1, (await Store.GetTaxonomyAsync())!.Version);
    }

    // --- members and keys --------------------------------------------------------------------------------------

    [Fact]
    public async Task Members_are_created_found_by_id_and_name_and_listed()
    {
        Member a = await Store.CreateMemberAsync("Platform A");
        Member b = await Store.CreateMemberAsync("Platform B");

        Assert.True(a.Active);
        Assert.Equal(a, await Store.GetMemberAsync(a.Id));
        Assert.Equal(b, await Store.FindMemberAsync("Platform B"));
        Assert.Null(await Store.FindMemberAsync("platform b"));
        Assert.Null(await Store.GetMemberAsync(b.Id + 100));
        Assert.Equal([a, b], await Store.ListMembersAsync());
    }

    [Fact]
    public async Task A_member_name_is_unique_and_must_be_present()
    {
        await Store.CreateMemberAsync("Platform A");
        await Refused(StoreError.Conflict, () => Store.CreateMemberAsync("Platform A"));
        await Refused(StoreError.Invalid, () => Store.CreateMemberAsync(""));
        await Refused(StoreError.Invalid, () => Store.CreateMemberAsync(" padded "));
        Assert.Single(await Store.ListMembersAsync());
    }

    [Fact]
    public async Task Api_keys_keep_the_given_salt_and_hash_and_are_revoked_once()
    {
        Member member = await MemberAsync();
        byte[] salt = [1, 2, 3, 4];
        byte[] hash = [9, 8, 7, 6, 5];
        ApiKey added = await Store.AddApiKeyAsync(member.Id, "key_abc", salt, hash, ApiScopes.Match | ApiScopes.Hash, "ci");
        ApiKey other = await Store.AddApiKeyAsync(member.Id, "key_def", salt, hash, ApiScopes.All, null);

        ApiKey found = (await Store.FindApiKeyAsync("key_abc"))!;
        Assert.Equal(added.Id, found.Id);
        Assert.Equal(member.Id, found.MemberId);
        Assert.Equal(salt, found.Salt);
        Assert.Equal(hash, found.SecretHash);
        Assert.Equal(ApiScopes.Match | ApiScopes.Hash, found.Scopes);
        Assert.Equal("ci", found.Label);
        Assert.Equal(added.CreatedAt, found.CreatedAt);
        Assert.False(found.IsRevoked);
        Assert.Equal([added.Id, other.Id], (await Store.ListApiKeysAsync(member.Id)).Select(k => k.Id));
        Assert.Null(await Store.FindApiKeyAsync("key_nope"));

        Assert.True(await Store.RevokeApiKeyAsync("key_abc"));
        Assert.False(await Store.RevokeApiKeyAsync("key_abc"));
        Assert.False(await Store.RevokeApiKeyAsync("key_nope"));
        Assert.True((await Store.FindApiKeyAsync("key_abc"))!.IsRevoked);
        Assert.False((await Store.FindApiKeyAsync("key_def"))!.IsRevoked);
    }

    [Fact]
    public async Task Api_keys_are_refused_for_unknown_members_duplicate_ids_or_no_scopes()
    {
        Member member = await MemberAsync();
        await Store.AddApiKeyAsync(member.Id, "key_1", [1], [2], ApiScopes.Match, null);
        await Refused(StoreError.NotFound, () => Store.AddApiKeyAsync(member.Id + 50, "key_2", [1], [2], ApiScopes.Match, null));
        await Refused(StoreError.Conflict, () => Store.AddApiKeyAsync(member.Id, "key_1", [1], [2], ApiScopes.Match, null));
        await Refused(StoreError.Invalid, () => Store.AddApiKeyAsync(member.Id, "key_3", [1], [2], ApiScopes.None, null));
        await Refused(StoreError.Invalid, () => Store.AddApiKeyAsync(member.Id, "key_4", [], [2], ApiScopes.Match, null));
        Assert.Single(await Store.ListApiKeysAsync(member.Id));
    }

    // --- sharing groups and visibility ------------------------------------------------------------------------

    [Fact]
    public async Task Group_membership_is_listed_added_once_and_removed()
    {
        Member member = await MemberAsync();
        SharingGroup g1 = await Store.CreateSharingGroupAsync("Group 1");
        SharingGroup g2 = await Store.CreateSharingGroupAsync("Group 2");
        await Refused(StoreError.Conflict, () => Store.CreateSharingGroupAsync("Group 1"));

        await Store.AddGroupMemberAsync(g2.Id, member.Id);
        await Store.AddGroupMemberAsync(g1.Id, member.Id);
        await Store.AddGroupMemberAsync(g1.Id, member.Id);
        Assert.Equal([g1, g2], await Store.ListGroupsOfMemberAsync(member.Id));

        await Store.RemoveGroupMemberAsync(g1.Id, member.Id);
        await Store.RemoveGroupMemberAsync(g1.Id, member.Id);
        Assert.Equal([g2], await Store.ListGroupsOfMemberAsync(member.Id));

        await Refused(StoreError.NotFound, () => Store.AddGroupMemberAsync(g1.Id + 10, member.Id));
        await Refused(StoreError.NotFound, () => Store.AddGroupMemberAsync(g1.Id, member.Id + 10));
    }

    [Fact]
    public async Task A_member_sees_its_own_banks_banks_shared_with_all_and_banks_of_its_groups_never_deleted_ones()
    {
        Member owner = await MemberAsync();
        Member inGroup = await MemberAsync();
        Member outsider = await MemberAsync();
        SharingGroup group = await Store.CreateSharingGroupAsync("Trusted");
        SharingGroup otherGroup = await Store.CreateSharingGroupAsync("Other");
        await Store.AddGroupMemberAsync(group.Id, inGroup.Id);
        await Store.AddGroupMemberAsync(otherGroup.Id, outsider.Id);

        Bank ownerPrivate = await BankAsync(owner, "OWNER_PRIVATE", scope: SharingScope.Private);
        Bank groupBank = await BankAsync(owner, "GROUP", scope: SharingScope.Group, groupId: group.Id);
        Bank all = await BankAsync(owner, "ALL");
        Bank deleted = await BankAsync(owner, "DELETED");
        Bank outsiderPrivate = await BankAsync(outsider, "OUTSIDER_PRIVATE", scope: SharingScope.Private);
        await Store.DeleteBankAsync(deleted.Id);

        async Task<string[]> Visible(Member m) => [.. (await Store.ListVisibleBanksAsync(m.Id)).Select(b => b.Name)];
        Assert.Equal(["OWNER_PRIVATE", "GROUP", "ALL"], await Visible(owner));
        Assert.Equal(["GROUP", "ALL"], await Visible(inGroup));
        Assert.Equal(["ALL", "OUTSIDER_PRIVATE"], await Visible(outsider));

        await Store.RemoveGroupMemberAsync(group.Id, inGroup.Id);
        Assert.Equal(["ALL"], await Visible(inGroup));

        Assert.Equal([ownerPrivate.Id, groupBank.Id, all.Id, outsiderPrivate.Id], (await Store.ListBanksAsync()).Select(b => b.Id));
    }
}
