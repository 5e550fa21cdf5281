/**
 * The Traefik labels of a Swarm service, as Traefik reads them: v2/v3 routers
 * (`traefik.http.routers.<name>.rule` = Host(`a`) && PathPrefix(`/p`), `traefik.http.services.<name>.loadbalancer.server.port`)
 * and v1 (`traefik.frontend.rule` = Host:a,b;PathPrefix:/p, `traefik.port`); see Traefik's "Docker provider" and
 * "Routers" documentation. Compose `labels` are a map or a `key=value` list. Expected values are written out.
 */
import { labelEntries, readTraefikLabels } from "../scripts/swarm-import/traefik";

describe("labelEntries", () => {
    it("reads a key=value list, splitting at the first =", () => {
        expect(labelEntries(["a=1", "b", "c=x=y", "d="])).toEqual([
            ["a", "1"],
            ["b", ""],
            ["c", "x=y"],
            ["d", ""],
        ]);
    });

    it("reads a map, writing non-string values as JSON and null as empty", () => {
        expect(labelEntries({ a: "1", b: null, c: 80, d: true, e: undefined })).toEqual([
            ["a", "1"],
            ["b", ""],
            ["c", "80"],
            ["d", "true"],
            ["e", ""],
        ]);
    });

    it.each([[null], [undefined], ["a=1"], [3]])("reads no labels from %p", (labels) => {
        expect(labelEntries(labels)).toEqual([]);
    });
});

describe("readTraefikLabels", () => {
    it("reads a v2 router's hosts and path prefix, and its service's port", () => {
        const rule = "Host(`portal.example.org`, `www.example.org`) && PathPrefix(`/api`)";
        expect(
            readTraefikLabels([
                ["traefik.enable", "true"],
                ["traefik.http.routers.portal.rule", rule],
                ["traefik.http.services.portal.loadbalancer.server.port", "8000"],
            ]),
        ).toEqual({
            route: { ruleLabel: "traefik.http.routers.portal.rule", rule, hosts: ["portal.example.org", "www.example.org"], pathPrefix: "/api" },
            otherRules: [],
            portLabel: "traefik.http.services.portal.loadbalancer.server.port",
            port: 8000,
        });
    });

    it("reads hosts quoted with double or single quotes, and several Host() calls", () => {
        const rule = `Host("a.example.org") || Host('b.example.org')`;
        expect(readTraefikLabels([["traefik.http.routers.r.rule", rule]]).route).toEqual({
            ruleLabel: "traefik.http.routers.r.rule",
            rule,
            hosts: ["a.example.org", "b.example.org"],
            pathPrefix: undefined,
        });
    });

    it("reads a v1 frontend rule and port", () => {
        const rule = "Host: a.example.org , b.example.org;PathPrefix: /api ";
        expect(readTraefikLabels([["traefik.frontend.rule", rule], ["traefik.port", "9000"]])).toEqual({
            route: { ruleLabel: "traefik.frontend.rule", rule, hosts: ["a.example.org", "b.example.org"], pathPrefix: "/api" },
            otherRules: [],
            portLabel: "traefik.port",
            port: 9000,
        });
        expect(readTraefikLabels([["traefik.frontend.rule", "PathPrefix:/x;Host:c.example.org"]]).route).toMatchObject({ hosts: ["c.example.org"], pathPrefix: "/x" });
        expect(readTraefikLabels([["traefik.frontend.rule", "Host:c.example.org;PathPrefix:/x,/y"]]).route?.pathPrefix).toBe("/x");
    });

    it("keeps the first router with a host, and lists rules without one and later routers as other rules", () => {
        const labels = readTraefikLabels([
            ["traefik.http.routers.metrics.rule", "PathPrefix(`/metrics`)"],
            ["traefik.http.routers.web.rule", "Host(`web.example.org`)"],
            ["traefik.http.routers.admin.rule", "Host(`admin.example.org`)"],
            ["traefik.http.routers.empty.rule", "Host(``)"],
        ]);
        expect(labels.route?.ruleLabel).toBe("traefik.http.routers.web.rule");
        expect(labels.route?.hosts).toEqual(["web.example.org"]);
        expect(labels.otherRules).toEqual(["traefik.http.routers.metrics.rule", "traefik.http.routers.admin.rule", "traefik.http.routers.empty.rule"]);
    });

    it("ignores labels that only look like rules or ports, and ports that are not numbers", () => {
        expect(
            readTraefikLabels([
                ["traefik.http.routers.a.b.rule", "Host(`x.example.org`)"],
                ["xtraefik.http.routers.a.rule", "Host(`x.example.org`)"],
                ["traefik.http.routers.a.rule.extra", "Host(`x.example.org`)"],
                ["traefik.http.middlewares.a.rule", "Host(`x.example.org`)"],
                ["traefik.frontend.rule.x", "Host:x.example.org"],
                ["traefik.http.services.a.loadbalancer.server.port", "http"],
                ["traefik.http.services.a.loadbalancer.server.portx", "1"],
                ["xtraefik.http.services.a.loadbalancer.server.port", "2"],
                ["traefik.http.services.a.b.loadbalancer.server.port", "3"],
                ["traefik.portx", "4"],
                ["traefik.http.services.b.loadbalancer.server.port", "8080"],
                ["traefik.port", "9090"],
            ]),
        ).toEqual({ otherRules: [], portLabel: "traefik.http.services.b.loadbalancer.server.port", port: 8080 });
    });

    it("takes the first numeric port label", () => {
        expect(readTraefikLabels([["traefik.port", "80.5"], ["traefik.port", "81"], ["traefik.http.services.s.loadbalancer.server.port", "82"]])).toEqual({
            otherRules: [],
            portLabel: "traefik.port",
            port: 81,
        });
    });
});
