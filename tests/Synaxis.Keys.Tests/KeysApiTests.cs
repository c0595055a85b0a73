using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Synaxis.Keys.Contracts;
using Synaxis.ServiceKit.Keys;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Keys.Tests;

/// <summary>/api/keys: create, list, get, delete, rotate; who may do what; what is (never) shown.</summary>
[Collection(KeysServiceCollection.Name)]
public sealed class KeysApiTests(KeysServiceFixture fixture)
{
    private readonly KeysApiClient _api = new(fixture.Service.CreateRealClient());

    [Fact]
    public async Task Create_answers_201_with_the_full_key_once()
    {
        var owner = TestCaller.NewOrganization();
        var groupId = await fixture.CreateGroupAsync(owner.OrganizationId);
        var expiresAt = DateTimeOffset.UtcNow.AddDays(30);

        using var response = await _api.SendAsync(owner, HttpMethod.Post, "/api/keys/", new
        {
            name = "  ci pipeline ",
            groupId,
            scopes = new[] { "admin", "inference" },
            expiresAt,
            allowedModels = new[] { "gpt-4o-mini", "llama-3.1-8b" },
        });

        await KeysApiClient.EnsureAsync(response, HttpStatusCode.Created);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var created = (await response.Content.ReadFromJsonAsync<CreatedKeyResponse>())!;
        Assert.Equal($"/api/keys/{created.Id}", response.Headers.Location?.OriginalString);
        Assert.True(ApiKeyFormat.TryParse(created.Key, out var keyId));
        Assert.Equal("synaxis_" + keyId[..8].ToString(), created.Prefix);
        Assert.Equal("ci pipeline", created.Name);
        Assert.Equal(["inference", "admin"], created.Scopes);
        Assert.Equal(groupId, created.GroupId);
        Assert.Equal(["gpt-4o-mini", "llama-3.1-8b"], created.AllowedModels);
        Assert.Equal(expiresAt.ToUnixTimeMilliseconds(), created.ExpiresAt!.Value.ToUnixTimeMilliseconds(), tolerance: 1);
        Assert.True(created.CreatedAt > DateTimeOffset.UtcNow.AddMinutes(-5));
    }

    [Fact]
    public async Task Get_and_list_show_metadata_but_never_the_key_secret_or_hash()
    {
        var owner = TestCaller.NewOrganization();
        var created = await _api.CreateAsync(owner, "metadata only");
        ApiKeyFormat.TryParse(created.Key, out _, out var secretPart);
        var secret = secretPart.ToString();
        var hash = await fixture.WithDbAsync(db => db.ApiKeys.Where(k => k.Id == created.Id).Select(k => k.SecretHash).SingleAsync());

        using var get = await _api.SendAsync(owner, HttpMethod.Get, $"/api/keys/{created.Id}");
        using var list = await _api.SendAsync(owner, HttpMethod.Get, "/api/keys/");

        await KeysApiClient.EnsureAsync(get, HttpStatusCode.OK);
        await KeysApiClient.EnsureAsync(list, HttpStatusCode.OK);
        foreach (var body in new[] { await get.Content.ReadAsStringAsync(), await list.Content.ReadAsStringAsync() })
        {
            Assert.DoesNotContain(secret, body);
            Assert.DoesNotContain(hash, body);
            Assert.DoesNotContain("\"key\"", body);
            Assert.DoesNotContain("secretHash", body, StringComparison.OrdinalIgnoreCase);
        }
        var key = (await get.Content.ReadFromJsonAsync<KeyResponse>())!;
        Assert.Equal(created.Id, key.Id);
        Assert.Equal(created.Prefix, key.Prefix);
        Assert.Equal("metadata only", key.Name);
        Assert.Equal(owner.UserId, key.UserId);
        Assert.Equal("active", key.Status);
        var page = (await list.Content.ReadFromJsonAsync<KeyListResponse>())!;
        Assert.Equal([created.Id], page.Items.Select(k => k.Id));
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task The_table_holds_a_bcrypt_hash_with_work_factor_12_never_the_key_or_secret()
    {
        var owner = TestCaller.NewOrganization();
        var created = await _api.CreateAsync(owner);
        ApiKeyFormat.TryParse(created.Key, out var keyId, out var secret);
        var keyIdText = keyId.ToString();
        var secretText = secret.ToString();

        var (storedKeyId, hash, rowJson) = await fixture.WithDbAsync(async db =>
        {
            var row = await db.ApiKeys.Where(k => k.Id == created.Id).Select(k => new { k.KeyId, k.SecretHash }).SingleAsync();
            var json = await db.Database
                .SqlQuery<string>($"""SELECT row_to_json(k)::text AS "Value" FROM keys."ApiKeys" AS k WHERE k."Id" = {created.Id}""")
                .SingleAsync();
            return (row.KeyId, row.SecretHash, json);
        });

        Assert.Equal(keyIdText, storedKeyId);
        Assert.Matches(@"^\$2[ab]\$12\$[./A-Za-z0-9]{53}$", hash);
        Assert.DoesNotContain(secretText, rowJson);
        Assert.DoesNotContain(created.Key, rowJson);
    }

    [Fact]
    public async Task Delete_revokes_the_key_idempotently_and_hides_it_from_the_default_list()
    {
        var owner = TestCaller.NewOrganization();
        var kept = await _api.CreateAsync(owner, "kept");
        var revoked = await _api.CreateAsync(owner, "revoked");

        using (var delete = await _api.SendAsync(owner, HttpMethod.Delete, $"/api/keys/{revoked.Id}"))
        {
            await KeysApiClient.EnsureAsync(delete, HttpStatusCode.NoContent);
        }
        using (var again = await _api.SendAsync(owner, HttpMethod.Delete, $"/api/keys/{revoked.Id}"))
        {
            await KeysApiClient.EnsureAsync(again, HttpStatusCode.NoContent);
        }

        using var get = await _api.SendAsync(owner, HttpMethod.Get, $"/api/keys/{revoked.Id}");
        var key = (await get.Content.ReadFromJsonAsync<KeyResponse>())!;
        Assert.Equal("revoked", key.Status);
        Assert.NotNull(key.RevokedAt);
        var active = await ListAsync(owner);
        Assert.Equal([kept.Id], active.Select(k => k.Id));
        var all = await ListAsync(owner, includeRevoked: true);
        Assert.Equal([revoked.Id, kept.Id], all.Select(k => k.Id));
        Assert.Equal("revoked", (await _api.VerifyAsync(revoked.Key)).Reason);
    }

    [Fact]
    public async Task Rotate_answers_201_with_a_new_key_linked_to_the_old_one()
    {
        var owner = TestCaller.NewOrganization();
        var old = await _api.CreateAsync(owner, "rotating", scopes: ["inference", "admin"], allowedModels: ["m1"]);

        using var response = await _api.SendAsync(owner, HttpMethod.Post, $"/api/keys/{old.Id}/rotate", new { gracePeriodSeconds = 3600 });

        await KeysApiClient.EnsureAsync(response, HttpStatusCode.Created);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var rotated = (await response.Content.ReadFromJsonAsync<RotatedKeyResponse>())!;
        Assert.NotEqual(old.Id, rotated.Id);
        Assert.NotEqual(old.Key, rotated.Key);
        Assert.True(ApiKeyFormat.TryParse(rotated.Key, out _));
        Assert.NotEqual(old.Prefix, rotated.Prefix);
        Assert.Equal(old.Id, rotated.RotatedFromId);
        Assert.Equal("rotating", rotated.Name);
        Assert.Equal(old.Scopes, rotated.Scopes);
        Assert.Equal(["m1"], rotated.AllowedModels);
        Assert.Null(rotated.ExpiresAt);
        Assert.InRange(rotated.PreviousKeyExpiresAt, DateTimeOffset.UtcNow.AddMinutes(55), DateTimeOffset.UtcNow.AddMinutes(65));

        var keys = await ListAsync(owner);
        var previous = Assert.Single(keys, k => k.Id == old.Id);
        Assert.Equal(rotated.Id, previous.ReplacedById);
        Assert.Equal(rotated.PreviousKeyExpiresAt, previous.ExpiresAt);
        Assert.Equal(old.Id, Assert.Single(keys, k => k.Id == rotated.Id).RotatedFromId);
    }

    [Fact]
    public async Task A_key_is_rotated_once_and_never_after_revocation()
    {
        var owner = TestCaller.NewOrganization();
        var key = await _api.CreateAsync(owner);
        await _api.RotateAsync(owner, key.Id, 60);

        using var twice = await _api.SendAsync(owner, HttpMethod.Post, $"/api/keys/{key.Id}/rotate", new { gracePeriodSeconds = 60 });
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);

        var revoked = await _api.CreateAsync(owner);
        (await _api.SendAsync(owner, HttpMethod.Delete, $"/api/keys/{revoked.Id}")).Dispose();
        using var afterRevocation = await _api.SendAsync(owner, HttpMethod.Post, $"/api/keys/{revoked.Id}/rotate", new { gracePeriodSeconds = 0 });
        Assert.Equal(HttpStatusCode.Conflict, afterRevocation.StatusCode);
        Assert.Equal("application/problem+json", afterRevocation.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Another_organizations_key_answers_404_like_a_missing_one()
    {
        var owner = TestCaller.NewOrganization();
        var stranger = TestCaller.NewOrganization();
        var key = await _api.CreateAsync(owner);

        foreach (var id in new[] { key.Id, Guid.NewGuid() })
        {
            using var get = await _api.SendAsync(stranger, HttpMethod.Get, $"/api/keys/{id}");
            using var delete = await _api.SendAsync(stranger, HttpMethod.Delete, $"/api/keys/{id}");
            using var rotate = await _api.SendAsync(stranger, HttpMethod.Post, $"/api/keys/{id}/rotate", new { gracePeriodSeconds = 0 });
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, rotate.StatusCode);
            Assert.Equal("application/problem+json", get.Content.Headers.ContentType?.MediaType);
        }
        Assert.Empty(await ListAsync(stranger, includeRevoked: true));
        Assert.Equal(HttpStatusCode.OK, (await _api.VerifyAsync(key.Key)).Status);
    }

    [Fact]
    public async Task A_member_manages_only_their_own_keys()
    {
        var owner = TestCaller.NewOrganization();
        var alice = owner.Colleague(OrganizationRoles.Member);
        var bob = owner.Colleague(OrganizationRoles.Member);
        var alicesKey = await _api.CreateAsync(alice, "alice");
        var bobsKey = await _api.CreateAsync(bob, "bob");
        var ownersKey = await _api.CreateAsync(owner, "owner");

        Assert.Equal([alicesKey.Id], (await ListAsync(alice)).Select(k => k.Id));
        foreach (var id in new[] { bobsKey.Id, ownersKey.Id })
        {
            using var get = await _api.SendAsync(alice, HttpMethod.Get, $"/api/keys/{id}");
            using var delete = await _api.SendAsync(alice, HttpMethod.Delete, $"/api/keys/{id}");
            using var rotate = await _api.SendAsync(alice, HttpMethod.Post, $"/api/keys/{id}/rotate", new { gracePeriodSeconds = 0 });
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, rotate.StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await _api.VerifyAsync(bobsKey.Key)).Status);

        await _api.RotateAsync(alice, alicesKey.Id, 0);
        using var deleteOwn = await _api.SendAsync(alice, HttpMethod.Delete, $"/api/keys/{alicesKey.Id}");
        Assert.Equal(HttpStatusCode.NoContent, deleteOwn.StatusCode);
    }

    [Fact]
    public async Task A_member_cannot_create_admin_scoped_keys_or_use_a_group_they_are_not_in()
    {
        var member = TestCaller.NewOrganization().Colleague(OrganizationRoles.Member) with { GroupIds = [Guid.NewGuid()] };

        using var admin = await _api.SendAsync(member, HttpMethod.Post, "/api/keys/", new { name = "x", scopes = new[] { "inference", "admin" } });
        using var otherGroup = await _api.SendAsync(member, HttpMethod.Post, "/api/keys/", new { name = "x", scopes = new[] { "inference" }, groupId = Guid.NewGuid() });
        using var ownGroup = await _api.SendAsync(member, HttpMethod.Post, "/api/keys/", new { name = "x", scopes = new[] { "inference" }, groupId = member.GroupIds![0] });

        Assert.Equal(HttpStatusCode.Forbidden, admin.StatusCode);
        Assert.Equal("application/problem+json", admin.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, otherGroup.StatusCode);
        Assert.Equal(HttpStatusCode.Created, ownGroup.StatusCode);
        Assert.Single(await ListAsync(member));
    }

    [Theory]
    [InlineData(OrganizationRoles.Admin)]
    [InlineData(OrganizationRoles.Owner)]
    public async Task Owners_and_admins_manage_every_key_of_the_organization(string role)
    {
        var manager = TestCaller.NewOrganization(role);
        var member = manager.Colleague(OrganizationRoles.Member);
        var first = await _api.CreateAsync(member, "first");
        var second = await _api.CreateAsync(member, "second");
        var own = await _api.CreateAsync(manager, "own", scopes: ["admin"]);

        Assert.Equal([own.Id, second.Id, first.Id], (await ListAsync(manager)).Select(k => k.Id));
        using var get = await _api.SendAsync(manager, HttpMethod.Get, $"/api/keys/{first.Id}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        using var delete = await _api.SendAsync(manager, HttpMethod.Delete, $"/api/keys/{second.Id}");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal("revoked", (await _api.VerifyAsync(second.Key)).Reason);

        // Rotating hands out a secret that acts as the key's owner: a manager may rotate only their own.
        using var rotateOthers = await _api.SendAsync(manager, HttpMethod.Post, $"/api/keys/{first.Id}/rotate", new { gracePeriodSeconds = 0 });
        Assert.Equal(HttpStatusCode.Forbidden, rotateOthers.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _api.VerifyAsync(first.Key)).Status);
        var rotated = await _api.RotateAsync(manager, own.Id, 0);
        Assert.Equal(manager.UserId, (await _api.VerifyAsync(rotated.Key)).Key!.UserId);
    }

    [Fact]
    public async Task Without_a_signed_identity_the_api_answers_401()
    {
        using var list = await _api.SendAsync(null, HttpMethod.Get, "/api/keys/");
        using var create = await _api.SendAsync(null, HttpMethod.Post, "/api/keys/", new { name = "x", scopes = new[] { "inference" } });

        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, create.StatusCode);
        Assert.Equal("application/problem+json", list.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_api_key_caller_needs_the_admin_scope_and_a_caller_needs_a_user_and_role()
    {
        var owner = TestCaller.NewOrganization();
        string Sign(Guid? userId, string? role, IReadOnlyList<string> scopes, Guid? keyId) => KeysApiClient.Signer.Sign(new CallerIdentity
        {
            OrganizationId = owner.OrganizationId,
            UserId = userId,
            Role = role,
            KeyId = keyId,
            Scopes = scopes,
        });

        using var inferenceKey = await _api.SendSignedAsync(Sign(owner.UserId, "Owner", ["inference"], Guid.NewGuid()), HttpMethod.Get, "/api/keys/");
        using var adminKey = await _api.SendSignedAsync(Sign(owner.UserId, "Owner", ["inference", "admin"], Guid.NewGuid()), HttpMethod.Get, "/api/keys/");
        using var noUser = await _api.SendSignedAsync(Sign(null, "Owner", [], null), HttpMethod.Get, "/api/keys/");
        using var noRole = await _api.SendSignedAsync(Sign(owner.UserId, null, [], null), HttpMethod.Get, "/api/keys/");
        using var odd = await _api.SendSignedAsync(Sign(owner.UserId, "Superuser", [], null), HttpMethod.Get, "/api/keys/");

        Assert.Equal(HttpStatusCode.Forbidden, inferenceKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, adminKey.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, noUser.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, noRole.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, odd.StatusCode);
    }

    public static TheoryData<string> InvalidCreateBodies() => new()
    {
        """{"scopes":["inference"]}""",
        """{"name":"","scopes":["inference"]}""",
        """{"name":"   ","scopes":["inference"]}""",
        $$"""{"name":"{{new string('n', 101)}}","scopes":["inference"]}""",
        """{"name":"k"}""",
        """{"name":"k","scopes":null}""",
        """{"name":"k","scopes":[]}""",
        """{"name":"k","scopes":["root"]}""",
        """{"name":"k","scopes":["inference","inference"]}""",
        """{"name":"k","scopes":["inference",null]}""",
        """{"name":"k","scopes":"inference"}""",
        """{"name":"k","scopes":["inference"],"expiresAt":"2001-01-01T00:00:00Z"}""",
        """{"name":"k","scopes":["inference"],"expiresAt":"tomorrow"}""",
        """{"name":"k","scopes":["inference"],"groupId":"not-a-guid"}""",
        """{"name":"k","scopes":["inference"],"groupId":"00000000-0000-0000-0000-000000000000"}""",
        """{"name":"k","scopes":["inference"],"groupId":42}""",
        $$"""{"name":"k","scopes":["inference"],"allowedModels":[{{string.Join(",", Enumerable.Range(0, 51).Select(i => $"\"m{i}\""))}}]}""",
        $$"""{"name":"k","scopes":["inference"],"allowedModels":["{{new string('m', 201)}}"]}""",
        """{"name":"k","scopes":["inference"],"allowedModels":[""]}""",
        """{"name":"k","scopes":["inference"],"allowedModels":[null]}""",
        """{"name":42,"scopes":["inference"]}""",
        """{"name":"k","scopes":["inference"]""",
        """not json""",
        """[]""",
        """null""",
        "",
    };

    [Theory]
    [MemberData(nameof(InvalidCreateBodies))]
    public async Task Invalid_create_bodies_answer_400_never_500(string body)
    {
        var owner = TestCaller.NewOrganization();

        using var response = await _api.SendAsync(owner, HttpMethod.Post, "/api/keys/", body);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await ListAsync(owner, includeRevoked: true));
    }

    [Fact]
    public async Task Validation_failures_are_a_validation_problem_naming_the_fields()
    {
        var owner = TestCaller.NewOrganization();

        using var response = await _api.SendAsync(owner, HttpMethod.Post, "/api/keys/",
            """{"name":"","scopes":["root"],"expiresAt":"2001-01-01T00:00:00Z","allowedModels":[""]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = problem.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name.ToLowerInvariant()).ToList();
        Assert.Contains("name", errors);
        Assert.Contains("scopes", errors);
        Assert.Contains("expiresat", errors);
        Assert.Contains("allowedmodels", errors);
    }

    [Theory]
    [InlineData("""{"gracePeriodSeconds":-1}""")]
    [InlineData("""{"gracePeriodSeconds":604801}""")]
    [InlineData("""{"gracePeriodSeconds":99999999999}""")]
    [InlineData("""{"gracePeriodSeconds":"soon"}""")]
    [InlineData("""{}""")]
    [InlineData("""nope""")]
    [InlineData("")]
    public async Task Invalid_rotate_bodies_answer_400_never_500(string body)
    {
        var owner = TestCaller.NewOrganization();
        var key = await _api.CreateAsync(owner);

        using var response = await _api.SendAsync(owner, HttpMethod.Post, $"/api/keys/{key.Id}/rotate", body);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Single(await ListAsync(owner));
    }

    [Theory]
    [InlineData("/api/keys/not-a-guid")]
    [InlineData("/api/keys/00000000-0000-0000-0000-000000000000")]
    public async Task Unknown_paths_and_ids_answer_404(string path)
    {
        using var response = await _api.SendAsync(TestCaller.NewOrganization(), HttpMethod.Get, path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private async Task<List<KeyResponse>> ListAsync(TestCaller caller, bool includeRevoked = false)
    {
        using var response = await _api.SendAsync(caller, HttpMethod.Get, $"/api/keys/?includeRevoked={includeRevoked}");
        await KeysApiClient.EnsureAsync(response, HttpStatusCode.OK);
        return [.. (await response.Content.ReadFromJsonAsync<KeyListResponse>())!.Items];
    }
}
