import { Icon, type IconName } from "./Icon.tsx";

export interface NavItem {
  href: string;
  label: string;
  icon: IconName;
  current?: boolean;
  /** Leaves the panel (e.g. the API docs): opens in a new tab and says so. */
  external?: boolean;
}

/** A group of links under an optional heading ("Cuenta", "Administración"). */
export interface NavSection {
  heading?: string;
  items: NavItem[];
}

interface Props {
  label: string;
  sections: NavSection[];
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

function Section({ heading, items }: NavSection) {
  if (items.length === 0) return null;
  return (
    <>
      {heading && <p class="nav-heading">{heading}</p>}
      <ul class="nav-list">
        {items.map((item) => <Link key={item.href} item={item} />)}
      </ul>
    </>
  );
}

/** The sidebar: the panel's pages by section, then links out to the gateway's other resources. */
export function SideNav({ label, sections, resourcesLabel, resources }: Props) {
  return (
    <nav class="sidebar" aria-label={label}>
      {sections.map((s, i) => <Section key={s.heading ?? i} {...s} />)}
      <Section heading={resourcesLabel} items={resources} />
    </nav>
  );
}
