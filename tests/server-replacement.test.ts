/**
 * `pulumi up --replace` of a server: the program sees the same name and address with a new Nova ID. The
 * server is bare (cloud-init only), so whatever set it up must run again, and nothing else.
 */
import type * as pulumi from "@pulumi/pulumi";
import { FakeCloud } from "../scripts/offline/fake-cloud";
import type { Render, RenderedResource } from "../scripts/offline/render";
import { renderStack } from "./support/stacks";

const INSTANCE = "openstack:compute/instance:Instance";

/** The fake cloud, except that one server was replaced: same name, new ID, as Nova gives a new server. */
class CloudWithReplacedServer extends FakeCloud {
    constructor(private readonly replaced: string) {
        super();
    }

    newResource(args: pulumi.runtime.MockResourceArgs) {
        const created = super.newResource(args);
        return args.type === INSTANCE && args.name === this.replaced ? { ...created, id: `${created.id}-replacement` } : created;
    }
}

const command = (render: Render, suffix: string): RenderedResource => {
    const found = render.resources.find((resource) => resource.type.startsWith("command:remote:") && resource.name.endsWith(suffix));
    if (!found) {
        throw new Error(`no command named *${suffix}`);
    }
    return found;
};
const triggers = (render: Render, suffix: string) => command(render, suffix).inputs.triggers;

const BASTION_SETUP = ["-ansible-bastion-ready", "-ansible-deploy-key", "-ansible-playbooks", "-ansible-inventory"];

let before: Render;
beforeAll(async () => {
    before = await renderStack("preprod");
});

describe("up --replace of a server", () => {
    it("runs Ansible on every host again when fsgs-preprod-cp-1 is replaced", async () => {
        const after = await renderStack("preprod", undefined, new CloudWithReplacedServer("fsgs-preprod-cp-1"));
        const instance = after.resources.find((resource) => resource.type === INSTANCE && resource.name === "fsgs-preprod-cp-1");
        expect(instance?.id).toMatch(/-replacement$/);
        expect(triggers(after, "-ansible-run")).not.toEqual(triggers(before, "-ansible-run"));
        // The kubeconfig is read again after the run, in case the first control plane was the one replaced.
        expect(triggers(after, "-admin-kubeconfig")).not.toEqual(triggers(before, "-admin-kubeconfig"));
        // The bastion is the same: its key, playbooks and inventory stay as they are.
        for (const suffix of BASTION_SETUP) {
            expect([suffix, triggers(after, suffix)]).toEqual([suffix, triggers(before, suffix)]);
        }
    });

    it("runs only fsgs-preprod-general-2's join command when that worker is replaced", async () => {
        const after = await renderStack("preprod", undefined, new CloudWithReplacedServer("fsgs-preprod-general-2"));
        expect(triggers(after, "-ansible-join-fsgs-preprod-general-2")).not.toEqual(triggers(before, "-ansible-join-fsgs-preprod-general-2"));
        for (const suffix of ["-ansible-run", "-admin-kubeconfig", "-ansible-join-fsgs-preprod-general-1", "-ansible-join-fsgs-preprod-general-3", ...BASTION_SETUP]) {
            expect([suffix, triggers(after, suffix)]).toEqual([suffix, triggers(before, suffix)]);
        }
    });

    it("gives a new bastion the deploy key, the playbooks and the inventory again", async () => {
        const after = await renderStack("preprod", undefined, new CloudWithReplacedServer("fsgs-preprod-bastion"));
        for (const suffix of BASTION_SETUP) {
            expect([suffix, triggers(after, suffix)]).not.toEqual([suffix, triggers(before, suffix)]);
        }
    });

    it("changes nothing when no server was replaced", async () => {
        const again = await renderStack("preprod");
        for (const suffix of [...BASTION_SETUP, "-ansible-run", "-admin-kubeconfig", "-ansible-join-fsgs-preprod-general-1"]) {
            expect([suffix, triggers(again, suffix)]).toEqual([suffix, triggers(before, suffix)]);
        }
    });
});
