using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Synaxis.Identity.Contracts;

namespace Synaxis.Identity.Tests;

/// <summary>
/// Every Identity endpoint that takes a body answers 400 ProblemDetails naming the problem, never a 500
/// or a silent default, to malformed JSON, a JSON array, an empty body, missing required fields,
/// overlong strings and bad emails.
/// </summary>
[Collection(IdentityServiceCollection.Name)]
public sealed class BadInputTests(IdentityServiceFixture fixture)
{
    private const string DefaultGroup = "{group}";
    private const string OwnUser = "{user}";

    /// <summary>One Owner for all the cases: bad input changes nothing, so they cannot disturb each other.</summary>
    private static readonly ConditionalWeakTable<IdentityServiceFixture, Task<(TokenResponse Owner, Guid DefaultGroupId)>> Owners = new();

    private readonly IdentityApiClient _api = new(fixture.Service.CreateRealClient());

    /// <summary>
    /// A body endpoint, a body it accepts, and which of its fields are required, strings and emails;
    /// <paramref name="BlankMeansNone"/> lists optional strings where blank deliberately means "none".
    /// </summary>
    private sealed record BodyEndpoint(
        string Method,
        string Path,
        bool Anonymous,
        Func<JsonObject> ValidBody,
        string[] Required,
        string[] Strings,
        string[] Emails,
        string[]? BlankMeansNone = null);

    private static readonly BodyEndpoint[] Endpoints =
    [
        new("POST", "/api/identity/auth/register", Anonymous: true,
            () => new JsonObject
            {
                ["email"] = IdentityApiClient.NewEmail(),
                ["password"] = IdentityApiClient.StrongPassword,
                ["displayName"] = "Bad Input",
                ["organizationName"] = "Bad Input Org",
            },
            Required: ["email", "password", "displayName", "organizationName"],
            Strings: ["email", "password", "displayName", "organizationName"],
            Emails: ["email"]),
        new("POST", "/api/identity/auth/login", Anonymous: true,
            () => new JsonObject { ["email"] = IdentityApiClient.NewEmail(), ["password"] = "some password or other" },
            Required: ["email", "password"],
            Strings: ["email", "password"],
            Emails: ["email"]),
        new("POST", "/api/identity/auth/refresh", Anonymous: true,
            () => new JsonObject { ["refreshToken"] = "synaxis_rt_not-a-real-one" },
            Required: ["refreshToken"], Strings: ["refreshToken"], Emails: []),
        new("POST", "/api/identity/auth/logout", Anonymous: true,
            () => new JsonObject { ["refreshToken"] = "synaxis_rt_not-a-real-one" },
            Required: ["refreshToken"], Strings: ["refreshToken"], Emails: []),
        new("POST", "/api/identity/organizations", Anonymous: false,
            () => new JsonObject { ["name"] = "Another" },
            Required: ["name"], Strings: ["name"], Emails: []),
        new("PATCH", "/api/identity/organizations/current", Anonymous: false,
            () => new JsonObject { ["name"] = "Renamed" },
            Required: ["name"], Strings: ["name"], Emails: []),
        new("PUT", "/api/identity/organizations/current/settings", Anonymous: false,
            () => new JsonObject
            {
                ["auditRetentionDays"] = 30,
                ["routingStrategy"] = "cost",
                ["allowPaidFallback"] = true,
                ["baselineModel"] = "gpt-4o",
            },
            Required: ["auditRetentionDays", "routingStrategy", "allowPaidFallback"],
            Strings: ["routingStrategy", "baselineModel"],
            Emails: [],
            BlankMeansNone: ["baselineModel"]),
        new("POST", "/api/identity/groups", Anonymous: false,
            () => new JsonObject { ["name"] = "Research", ["slug"] = "research" },
            Required: ["name", "slug"], Strings: ["name", "slug"], Emails: []),
        // PATCH changes only what it is given: no field is required.
        new("PATCH", $"/api/identity/groups/{DefaultGroup}", Anonymous: false,
            () => new JsonObject { ["name"] = "Renamed", ["slug"] = "renamed" },
            Required: [], Strings: ["name", "slug"], Emails: []),
        new("POST", "/api/identity/members", Anonymous: false,
            () => new JsonObject { ["email"] = IdentityApiClient.NewEmail(), ["role"] = "Member" },
            Required: ["email", "role"], Strings: ["email", "role"], Emails: ["email"]),
        new("PATCH", $"/api/identity/members/{OwnUser}", Anonymous: false,
            () => new JsonObject { ["role"] = "Owner" },
            Required: ["role"], Strings: ["role"], Emails: []),
    ];

    public static TheoryData<string> AllEndpoints() => new(Endpoints.Select(Name));

    public static TheoryData<string> EndpointsWithRequiredFields() => new(Endpoints.Where(e => e.Required.Length > 0).Select(Name));

    public static TheoryData<string, string> StringFields() => Fields(blankMayMeanNone: true);

    public static TheoryData<string, string> StringFieldsThatMustNotBeBlank() => Fields(blankMayMeanNone: false);

    private static TheoryData<string, string> Fields(bool blankMayMeanNone)
    {
        var data = new TheoryData<string, string>();
        foreach (var endpoint in Endpoints)
        {
            foreach (var field in endpoint.Strings.Except(blankMayMeanNone ? [] : endpoint.BlankMeansNone ?? []))
            {
                data.Add(Name(endpoint), field);
            }
        }
        return data;
    }

    public static TheoryData<string, string> BadEmails()
    {
        string[] emails =
        [
            "not-an-email",
            "@example.test",
            "user@",
            "two@at@example.test",
            "has space@example.test",
            "user@exa mple.test",
            "user@.example.test",
            "user@example.test.",
            "user@@example.test",
            "user\n@example.test",
        ];
        var data = new TheoryData<string, string>();
        foreach (var endpoint in Endpoints.Where(e => e.Emails.Length > 0))
        {
            foreach (var email in emails)
            {
                data.Add(Name(endpoint), email);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(AllEndpoints))]
    public async Task The_valid_body_of_each_case_is_not_refused_as_bad_input(string endpoint)
    {
        // The cases below change one thing in this body; it must itself pass validation for them to mean anything.
        using var response = await SendAsync(endpoint, Find(endpoint).ValidBody().ToJsonString());

        Assert.True(response.StatusCode != HttpStatusCode.BadRequest && (int)response.StatusCode < 500,
            $"{endpoint} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    [Theory]
    [MemberData(nameof(AllEndpoints))]
    public async Task Malformed_json_answers_400_saying_the_body_is_not_valid_json(string endpoint)
    {
        foreach (var body in new[] { "{\"a\":", "{\"name\": \"unterminated", "not json at all", "{'single': 'quotes'}" })
        {
            using var response = await SendAsync(endpoint, body);

            var detail = await AssertProblemAsync(response, $"{endpoint} with {body}");
            Assert.Contains("JSON", detail, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [MemberData(nameof(AllEndpoints))]
    public async Task A_json_array_instead_of_an_object_answers_400_saying_the_body_is_not_valid_json(string endpoint)
    {
        foreach (var body in new[] { "[]", "[{\"name\": \"x\"}]", "\"a string\"", "42", "null" })
        {
            using var response = await SendAsync(endpoint, body);

            var detail = await AssertProblemAsync(response, $"{endpoint} with {body}");
            Assert.True(detail.Contains("JSON", StringComparison.OrdinalIgnoreCase) || detail.Contains("body", StringComparison.OrdinalIgnoreCase),
                $"{endpoint} with {body}: '{detail}' does not say what is wrong");
        }
    }

    [Theory]
    [MemberData(nameof(AllEndpoints))]
    public async Task An_empty_body_answers_400_saying_the_body_is_missing(string endpoint)
    {
        using var response = await SendAsync(endpoint, "");

        var detail = await AssertProblemAsync(response, $"{endpoint} with an empty body");
        Assert.Contains("body", detail, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(EndpointsWithRequiredFields))]
    public async Task Missing_required_fields_answer_400_naming_each_of_them(string endpoint)
    {
        var required = Find(endpoint).Required;

        using var empty = await SendAsync(endpoint, "{}");
        Assert.Equal(required.Order(), (await AssertValidationErrorsAsync(empty, $"{endpoint} with {{}}")).Order());

        // Each one missing on its own, and each one sent as null, is named alone.
        foreach (var field in required)
        {
            var without = Find(endpoint).ValidBody();
            without.Remove(field);
            using var missing = await SendAsync(endpoint, without.ToJsonString());
            Assert.Equal([field], await AssertValidationErrorsAsync(missing, $"{endpoint} without {field}"));

            var nulled = Find(endpoint).ValidBody();
            nulled[field] = null;
            using var nullValue = await SendAsync(endpoint, nulled.ToJsonString());
            Assert.Equal([field], await AssertValidationErrorsAsync(nullValue, $"{endpoint} with {field}: null"));
        }
    }

    [Theory]
    [MemberData(nameof(StringFields))]
    public async Task An_overlong_string_answers_400_naming_the_field(string endpoint, string field)
    {
        var definition = Find(endpoint);
        var body = definition.ValidBody();
        body[field] = definition.Emails.Contains(field) ? new string('x', 10_000) + "@example.test" : new string('x', 10_000);

        using var response = await SendAsync(endpoint, body.ToJsonString());

        Assert.Equal([field], await AssertValidationErrorsAsync(response, $"{endpoint} with a 10,000-character {field}"));
    }

    [Theory]
    [MemberData(nameof(StringFieldsThatMustNotBeBlank))]
    public async Task A_blank_string_answers_400_naming_the_field(string endpoint, string field)
    {
        var body = Find(endpoint).ValidBody();
        body[field] = "   ";

        using var response = await SendAsync(endpoint, body.ToJsonString());

        Assert.Equal([field], await AssertValidationErrorsAsync(response, $"{endpoint} with a blank {field}"));
    }

    [Theory]
    [MemberData(nameof(BadEmails))]
    public async Task A_bad_email_answers_400_naming_the_email_field(string endpoint, string email)
    {
        var body = Find(endpoint).ValidBody();
        body["email"] = email;

        using var response = await SendAsync(endpoint, body.ToJsonString());

        Assert.Equal(["email"], await AssertValidationErrorsAsync(response, $"{endpoint} with email {JsonSerializer.Serialize(email)}"));
    }

    [Fact]
    public async Task Production_names_the_json_problem_too()
    {
        // Development makes minimal APIs throw on a bad body; Production must not fall back to a bare 400.
        await using var production = fixture.CreateService(new Dictionary<string, string?> { ["environment"] = "Production" });
        var api = new IdentityApiClient(production.CreateRealClient());

        using var malformed = await api.SendRawJsonAsync(null, HttpMethod.Post, "/api/identity/auth/login", "{\"a\":");
        using var empty = await api.SendRawJsonAsync(null, HttpMethod.Post, "/api/identity/auth/login", "");

        Assert.Contains("JSON", await AssertProblemAsync(malformed, "malformed JSON in Production"), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("body", await AssertProblemAsync(empty, "an empty body in Production"), StringComparison.OrdinalIgnoreCase);
    }

    private async Task<HttpResponseMessage> SendAsync(string endpoint, string json)
    {
        var definition = Find(endpoint);
        var (owner, defaultGroupId) = await OwnerAsync();
        var path = definition.Path.Replace(DefaultGroup, defaultGroupId.ToString()).Replace(OwnUser, owner.UserId.ToString());
        return await _api.SendRawJsonAsync(definition.Anonymous ? null : owner, new HttpMethod(definition.Method), path, json);
    }

    private Task<(TokenResponse Owner, Guid DefaultGroupId)> OwnerAsync() => Owners.GetValue(fixture, _ => RegisterOwnerAsync(_api));

    private static async Task<(TokenResponse Owner, Guid DefaultGroupId)> RegisterOwnerAsync(IdentityApiClient api)
    {
        var owner = await api.RegisterAsync(organizationName: "Bad input");
        using var groups = await api.SendAsync(owner, HttpMethod.Get, "/api/identity/groups");
        var defaultGroup = (await groups.Content.ReadFromJsonAsync<List<GroupResponse>>())!.Single();
        return (owner, defaultGroup.Id);
    }

    /// <summary>Asserts a 400 ProblemDetails and returns its detail (or title when it has none).</summary>
    private static async Task<string> AssertProblemAsync(HttpResponseMessage response, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what} answered {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        return problem.RootElement.TryGetProperty("detail", out var detail) && detail.GetString() is { Length: > 0 } text
            ? text
            : throw new Xunit.Sdk.XunitException($"{what}: the problem does not say what is wrong: {body}");
    }

    /// <summary>Asserts a 400 validation problem and returns the fields its <c>errors</c> name (each with a message), camelCased.</summary>
    private static async Task<string[]> AssertValidationErrorsAsync(HttpResponseMessage response, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what} answered {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.True(problem.RootElement.TryGetProperty("errors", out var errors), $"{what}: no errors in {body}");
        var fields = errors.EnumerateObject().ToList();
        Assert.All(fields, f => Assert.Contains(f.Value.EnumerateArray(), m => !string.IsNullOrWhiteSpace(m.GetString())));
        // .NET 10's validation keys errors by the C# property name (dotnet/aspnetcore#61764): compare as the JSON names.
        return fields.Select(f => JsonNamingPolicy.CamelCase.ConvertName(f.Name)).ToArray();
    }

    private static BodyEndpoint Find(string name) => Endpoints.Single(e => Name(e) == name);

    private static string Name(BodyEndpoint endpoint) => $"{endpoint.Method} {endpoint.Path}";
}
