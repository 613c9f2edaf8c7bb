import { Icon, type IconName } from "./Icon.tsx";

export interface NavItem {
  href: string;
  label: string;
  icon: IconName;
  current?: boolean;
  /** Leaves the panel (e.g. the API docs): opens in a new tab and says so. */
  external?: boolean;
}

interface Props {
  label: string;
  items: NavItem[];
  resourcesLabel: string;
  resources: NavItem[];
}

function Link({ item }: { item: NavItem }) {
  return (
    <li>
      <a
        href={item.href}
        class="nav-link"
        aria-current={item.current ? "page" : undefined}
        {...(item.external ? { target: "_blank", rel: "noopener" } : {})}
      >
        <Icon name={item.icon} />
        <span>{item.label}</span>
        {item.external && <Icon name="external" class="icon-small" />}
      </a>
    </li>
  );
}

/** The sidebar: the panel's pages first, then links out to the gateway's other resources. */
export function SideNav({ label, items, resourcesLabel, resources }: Props) {
  return (
    <nav class="sidebar" aria-label={label}>
      <ul class="nav-list">
        {items.map((item) => <Link key={item.href} item={item} />)}
      </ul>
      {resources.length > 0 && (
        <>
          <p class="nav-heading">{resourcesLabel}</p>
          <ul class="nav-list">
            {resources.map((item) => <Link key={item.href} item={item} />)}
          </ul>
        </>
      )}
    </nav>
  );
}
