/**
 * The SSH connections of the remote commands, as pulumi-command v1.2.1 receives them. A server Nova reports
 * ACTIVE is still booting; its sshd refuses connections for a minute or two (longer on a loaded site).
 */
import { SSH_DIAL_ERROR_LIMIT, dialBudgetSeconds } from "../components/ansible/connection";
import { STACKS } from "./support/stacks";
import { renderStack } from "./support/stacks";
import { RecordingCloud } from "./support/recording-cloud";

interface Connection {
    host: string;
    dialErrorLimit?: number;
    perDialTimeout?: number;
    proxy?: Connection;
}
// pulumi-command v1.2.1 connection.go: dialErrorDefault = 10, PerDialTimeout default 15.
const withDefaults = (connection: Connection) => ({ limit: connection.dialErrorLimit ?? 10, timeout: connection.perDialTimeout ?? 15 });

describe("dialBudgetSeconds, pulumi-command's retry loop", () => {
    it("gives up after about 11 s of refusals with the provider's default of 10 dial errors", () => {
        // 100 ms growing 1.5x per retry (pulumi retry/until.go): 0.1 + 0.15 + ... + 3.84 over 10 retries.
        expect(dialBudgetSeconds(10, 0)).toBeCloseTo(11.33, 1);
    });

    it("caps the delay at 5 s, and counts the dial time of each of the limit + 1 dials", () => {
        expect(dialBudgetSeconds(12, 0) - dialBudgetSeconds(11, 0)).toBeCloseTo(5, 5);
        expect(dialBudgetSeconds(10, 15) - dialBudgetSeconds(10, 0)).toBeCloseTo(11 * 15, 5);
    });
});

describe.each(STACKS)("%s: every remote command's connection", (stack) => {
    let connections: [string, Connection][] = [];
    beforeAll(async () => {
        const cloud = new RecordingCloud();
        await renderStack(stack, undefined, cloud);
        connections = [...cloud.ofType("command:remote:Command"), ...cloud.ofType("command:remote:CopyToRemote")].flatMap(
            ([name, inputs]) => {
                const connection = inputs.connection as Connection;
                return [[name, connection], ...(connection.proxy ? [[`${name} (proxy)`, connection.proxy] as [string, Connection]] : [])];
            },
        );
    });

    it("keeps dialing a freshly booted server for at least 3 minutes of refused connections", () => {
        expect(connections.length).toBeGreaterThanOrEqual(7);
        for (const [name, connection] of connections) {
            const { limit } = withDefaults(connection);
            expect([name, dialBudgetSeconds(limit, 0) >= 180]).toEqual([name, true]);
        }
    });

    it("still gives up within 20 minutes on an address that never answers", () => {
        for (const [name, connection] of connections) {
            const { limit, timeout } = withDefaults(connection);
            expect([name, dialBudgetSeconds(limit, timeout) <= 20 * 60]).toEqual([name, true]);
        }
        expect(SSH_DIAL_ERROR_LIMIT).toBeGreaterThan(10);
    });
});
