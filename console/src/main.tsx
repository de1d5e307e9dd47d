import { render } from 'preact'
import { AuditPage } from './audit-page.js'
import { CostPage } from './cost-page.js'
import { useRoute } from './route.js'
import { TracePage } from './trace-page.js'
import { TracesPage } from './traces-page.js'

function App() {
  const route = useRoute()
  const tab = (page: string, label: string, href: string) => (
    <a
      href={href}
      class={route.page === page || (page === 'traces' && route.page === 'trace') ? 'active' : ''}
    >
      {label}
    </a>
  )
  return (
    <>
      <header>
        <strong>goblin</strong>
        <nav>
          {tab('traces', 'Traces', '#/traces')}
          {tab('cost', 'Cost', '#/cost')}
          {tab('audit', 'Audit', '#/audit')}
        </nav>
      </header>
      <main>
        {route.page === 'trace' ? (
          <TracePage key={route.id} id={route.id} params={route.params} />
        ) : route.page === 'cost' ? (
          <CostPage params={route.params} />
        ) : route.page === 'audit' ? (
          <AuditPage params={route.params} />
        ) : (
          <TracesPage params={route.params} />
        )}
      </main>
    </>
  )
}

render(<App />, document.getElementById('app') as HTMLElement)
